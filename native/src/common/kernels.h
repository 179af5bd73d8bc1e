// The kernels, each described once (MATH.md section 1): the CPU twin (double) and every CUDA
// kernel (float, logits in base 2) instantiate the same traits, so a new family is one struct
// here with one case in for_kernel and is_kernel, its code in kgen.h and its Java twin in
// Kernel.java.
//
// A kernel's Query<T> is prepared once per query from its bandwidth b, the dimension d and the
// logit unit (1 for natural log, log2(e) for base 2). It gives
//   logit(lw, r2, r)   lw + log k(r), in the logit unit; r is computed only when kNeedsDistance
//   gradient_scale     s and
//   gradient_shape     g(r2, r), with grad_x log k(x, y) = s g (y - x), s g finite and
//                      g |y - x| <= 1, so (e s) ((y - x) g) cannot overflow where s g alone might
// and log_norm(d, b) = log of the kernel's integral over R^d, for the KDE log-density.
#pragma once

#include <math.h>
#include <stdint.h>

#include "kgen.h"

#include "host_device.h"

namespace kgen {

// log Gamma(x). On the host lgamma writes the global signgam, a race between the CPU backend's
// threads (found by the emulation tier under ThreadSanitizer): use the reentrant lgamma_r there.
template <typename T>
KGEN_HD T log_gamma(T x) {
#ifdef __CUDA_ARCH__
    return lgamma(x);
#else
    int sign = 0;
    return T(lgamma_r(double(x), &sign));
#endif
}

struct GaussianKernel {
    static constexpr int kId = KGEN_KERNEL_GAUSSIAN;
    static constexpr const char* kName = "Gaussian";
    static constexpr bool kNeedsDistance = false;

    template <typename T>
    struct Query {
        T c;       // 1 / (2 b^2)
        T c_unit;  // c in the logit unit
        KGEN_HD Query(T b, int64_t, T unit) : c(T(1) / (T(2) * b * b)), c_unit(c * unit) {}
        KGEN_HD T logit(T lw, T r2, T) const { return lw - r2 * c_unit; }
        KGEN_HD T gradient_scale() const { return T(2) * c; }
        KGEN_HD T gradient_shape(T, T) const { return T(1); }
        KGEN_HD bool finite() const { return isfinite(c_unit); }
    };

    // (d/2) log(2 pi b^2)
    template <typename T>
    static KGEN_HD T log_norm(int64_t d, T b) {
        return T(0.5) * T(d) * log(T(6.283185307179586) * b * b);
    }
};

struct LaplaceKernel {
    static constexpr int kId = KGEN_KERNEL_LAPLACE;
    static constexpr const char* kName = "Laplace";
    static constexpr bool kNeedsDistance = true;

    template <typename T>
    struct Query {
        T c;  // 1 / b
        T c_unit;
        KGEN_HD Query(T b, int64_t, T unit) : c(T(1) / b), c_unit(c * unit) {}
        KGEN_HD T logit(T lw, T, T r) const { return lw - r * c_unit; }
        KGEN_HD T gradient_scale() const { return c; }
        // (y - x) / r: the unit vector; at r = 0 the subgradient 0.
        KGEN_HD T gradient_shape(T, T r) const { return r > T(0) ? T(1) / r : T(0); }
        KGEN_HD bool finite() const { return isfinite(c_unit); }
    };

    // log(2 pi^(d/2) Gamma(d) / Gamma(d/2) b^d): the surface of the unit sphere times the
    // radial integral of r^(d-1) exp(-r/b).
    template <typename T>
    static KGEN_HD T log_norm(int64_t d, T b) {
        return T(0.6931471805599453) + T(0.5) * T(d) * T(1.1447298858494002) + log_gamma(T(d)) -
               log_gamma(T(0.5) * T(d)) + T(d) * log(b);
    }
};

// The multivariate Student-t kernel with one degree of freedom (the multivariate Cauchy):
// k(r) = (1 + r^2 / b^2)^(-(d + 1) / 2). Heavy tails, so far points keep some weight, and an
// integral that is finite in every d, so the KDE is a proper density.
struct CauchyKernel {
    static constexpr int kId = KGEN_KERNEL_CAUCHY;
    static constexpr const char* kName = "Cauchy";
    static constexpr bool kNeedsDistance = false;

    template <typename T>
    struct Query {
        T c;           // 1 / b^2
        T power;       // (d + 1) / 2
        T power_unit;  // power in the logit unit
        KGEN_HD Query(T b, int64_t d, T unit)
            : c(T(1) / (b * b)), power(T(0.5) * T(d + 1)), power_unit(power * unit) {}
        KGEN_HD T logit(T lw, T r2, T) const { return lw - power_unit * log1p(r2 * c); }
        KGEN_HD T gradient_scale() const { return T(2) * power * c; }
        KGEN_HD T gradient_shape(T r2, T) const { return T(1) / (T(1) + r2 * c); }
        KGEN_HD bool finite() const { return isfinite(c) && isfinite(power_unit * c); }
    };

    // log(pi^((d+1)/2) b^d / Gamma((d+1)/2))
    template <typename T>
    static KGEN_HD T log_norm(int64_t d, T b) {
        return T(0.5) * T(d + 1) * T(1.1447298858494002) + T(d) * log(b) - log_gamma(T(0.5) * T(d + 1));
    }
};

// The logit of one pair. r = 0 contributes log k = 0 exactly (not 0 * c, which is NaN if c
// overflowed): every kernel here has k(0) = 1.
template <typename Q, typename T>
KGEN_HD T pair_logit(const Q& q, T lw, T r2, T r) {
    return r2 == T(0) ? lw : q.logit(lw, r2, r);
}

// Calls body(K{}) with the traits of `kernel` (a checked kgen_kernel).
template <typename Body>
KGEN_HD auto for_kernel(int kernel, Body&& body) {
    switch (kernel) {
        case KGEN_KERNEL_LAPLACE: return body(LaplaceKernel{});
        case KGEN_KERNEL_CAUCHY: return body(CauchyKernel{});
        default: return body(GaussianKernel{});
    }
}

inline bool is_kernel(int kernel) {
    return kernel == KGEN_KERNEL_GAUSSIAN || kernel == KGEN_KERNEL_LAPLACE || kernel == KGEN_KERNEL_CAUCHY;
}

}  // namespace kgen
