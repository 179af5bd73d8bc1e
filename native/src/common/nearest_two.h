// The two nearest rows so far, by squared distance then index: shared by the CPU (double) and
// CUDA (float) backends so that ties and merges resolve the same way.
#pragma once

#include <math.h>
#include <stdint.h>

#include "host_device.h"

namespace kgen {

template <typename T>
struct NearestTwo {
    T r2[2];
    int64_t index[2];

    KGEN_HD static NearestTwo empty() {
        NearestTwo s;
        s.r2[0] = s.r2[1] = T(INFINITY);
        s.index[0] = s.index[1] = -1;
        return s;
    }

    // (r2, j) is nearer than slot k: smaller distance, or equal distance and smaller index.
    KGEN_HD bool beats(T r2_new, int64_t j, int k) const {
        return index[k] < 0 || r2_new < r2[k] || (r2_new == r2[k] && j < index[k]);
    }

    KGEN_HD void insert(T r2_new, int64_t j) {
        if (r2_new != r2_new) return;  // NaN: never a neighbour, so no split layout can keep one
        if (beats(r2_new, j, 0)) {
            r2[1] = r2[0];
            index[1] = index[0];
            r2[0] = r2_new;
            index[0] = j;
        } else if (beats(r2_new, j, 1)) {
            r2[1] = r2_new;
            index[1] = j;
        }
    }

    KGEN_HD void merge(const NearestTwo& other) {
        for (int k = 0; k < 2; ++k) {
            if (other.index[k] >= 0) insert(other.r2[k], other.index[k]);
        }
    }
};

}  // namespace kgen
