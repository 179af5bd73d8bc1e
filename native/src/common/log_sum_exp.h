// Scalar pieces of the online log-sum-exp shared by the CPU (double) and CUDA (float) backends:
// the log weight of a data row and the factor that moves a running sum to a new reference max.
#pragma once

#include <math.h>
#include <stdint.h>

#include "host_device.h"

namespace kgen {

template <typename T>
KGEN_HD T log_weight(const float* weights, int64_t j, T uniform_log_weight) {
    if (weights == nullptr) return uniform_log_weight;
    T w = T(weights[j]);
    return w > T(0) ? log(w) : T(-INFINITY);
}

// The factor that brings a sum kept relative to `from` to be relative to `to` >= from.
template <typename T>
KGEN_HD T rescale(T from, T to) {
    return from == T(-INFINITY) ? T(0) : exp(from - to);
}

// The same for sums whose max is kept in base 2 (the CUDA kernels' exp2 domain).
template <typename T>
KGEN_HD T rescale_base2(T from, T to) {
    return from == T(-INFINITY) ? T(0) : exp2(from - to);
}

}  // namespace kgen
