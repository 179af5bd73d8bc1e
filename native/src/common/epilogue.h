// Scalar pieces of the reduction shared by the CPU (double) and CUDA (float) backends: logits,
// the online log-sum-exp update, merging two partial states, and the epilogue that turns a
// complete state into lse, mean, gradient, log-density and score.
#pragma once

#include <math.h>
#include <stdint.h>

#include "kgen.h"

#include "host_device.h"

namespace kgen {

// 1/(2 h^2) for the Gaussian, 1/tau for the Laplace kernel: logk = -r^2 c or -r c.
template <typename T>
KGEN_HD T logit_coefficient(int kernel, T bandwidth) {
    return kernel == KGEN_KERNEL_GAUSSIAN ? T(1) / (T(2) * bandwidth * bandwidth) : T(1) / bandwidth;
}

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

// Gaussian normalising constant: (d/2) log(2 pi h^2).
template <typename T>
KGEN_HD T gaussian_log_norm(int64_t d, T h) {
    return T(0.5) * T(d) * log(T(6.283185307179586) * h * h);
}

}  // namespace kgen
