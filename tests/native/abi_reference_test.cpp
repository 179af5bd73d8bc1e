// Checks of the float64 reference itself, so that a disagreement elsewhere points at kgen: the
// normalisers against numerical integration, the gradients against finite differences, the
// Philox block function against Random123's known answers.
#include <cmath>

#include "abi_test.h"
#include "reference.h"

namespace kgen_test {
namespace {

constexpr int kKernels[] = {KGEN_KERNEL_GAUSSIAN, KGEN_KERNEL_LAPLACE, KGEN_KERNEL_CAUCHY};

// log of the integral of k over R^d in polar form: the unit sphere's surface 2 pi^(d/2) / Gamma(d/2)
// times int_0^inf r^(d-1) k(r) dr, with r = t / (1 - t) mapping [0, 1) onto [0, inf) and the
// midpoint rule (which never evaluates t = 1).
double log_normaliser_by_quadrature(int kernel, int64_t d, double b) {
    const int steps = 200000;
    double integral = 0.0;
    for (int s = 0; s < steps; ++s) {
        const double t = (s + 0.5) / steps;
        const double r = t / (1.0 - t);
        const double jacobian = 1.0 / ((1.0 - t) * (1.0 - t));
        integral += std::pow(r, (double)(d - 1)) * std::exp(reference::log_kernel(kernel, d, b, r)) * jacobian;
    }
    integral /= steps;
    const double pi = 3.14159265358979323846;
    return std::log(2.0) + 0.5 * (double)d * std::log(pi) - std::lgamma(0.5 * (double)d) + std::log(integral);
}

void check_normalisers() {
    for (int kernel : kKernels) {
        for (int64_t d : {1, 2, 3, 5}) {
            const double b = 0.7;
            const double closed = reference::log_normaliser(kernel, d, b);
            const double numeric = log_normaliser_by_quadrature(kernel, d, b);
            EXPECT(std::fabs(closed - numeric) < 1e-6,
                   "%s log normaliser, d = %lld: closed form %.12g, quadrature %.12g", kernel_name(kernel),
                   (long long)d, closed, numeric);
        }
    }
    // d = 1 by hand: sqrt(2 pi) b, 2 b and pi b.
    const double b = 1.3;
    EXPECT(std::fabs(reference::log_normaliser(KGEN_KERNEL_GAUSSIAN, 1, b) - std::log(std::sqrt(2 * M_PI) * b)) < 1e-12,
           "Gaussian normaliser in d = 1");
    EXPECT(std::fabs(reference::log_normaliser(KGEN_KERNEL_LAPLACE, 1, b) - std::log(2 * b)) < 1e-12,
           "Laplace normaliser in d = 1");
    EXPECT(std::fabs(reference::log_normaliser(KGEN_KERNEL_CAUCHY, 1, b) - std::log(M_PI * b)) < 1e-12,
           "Cauchy normaliser in d = 1");
}

void check_gradients(Rng& rng) {
    const int64_t d = 3;
    for (int kernel : kKernels) {
        const std::vector<float> x = rng.normals(d), y = rng.normals(d);
        const double b = 0.9;
        auto log_k = [&](const double* point) {
            double r2 = 0.0;
            for (int64_t k = 0; k < d; ++k) r2 += (point[k] - y[k]) * (point[k] - y[k]);
            return reference::log_kernel(kernel, d, b, std::sqrt(r2));
        };
        const double factor = reference::gradient_factor(kernel, d, b, reference::distance(x.data(), y.data(), d));
        for (int64_t k = 0; k < d; ++k) {
            double plus[3] = {x[0], x[1], x[2]}, minus[3] = {x[0], x[1], x[2]};
            const double step = 1e-6;
            plus[k] += step;
            minus[k] -= step;
            const double numeric = (log_k(plus) - log_k(minus)) / (2 * step);
            const double closed = factor * ((double)y[k] - x[k]);
            EXPECT(std::fabs(numeric - closed) < 1e-6 * (1 + std::fabs(closed)),
                   "%s gradient [%lld]: closed form %.12g, finite difference %.12g", kernel_name(kernel),
                   (long long)k, closed, numeric);
        }
    }
}

// Random123's kat_vectors, "philox4x32 10" lines: counter, key, output.
void check_philox_known_answers() {
    struct Known {
        std::array<uint32_t, 4> counter;
        std::array<uint32_t, 2> key;
        std::array<uint32_t, 4> output;
    };
    const Known known[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
         {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
         {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (const Known& k : known) {
        const auto got = reference::philox4x32_10(k.counter, k.key);
        EXPECT(got == k.output, "Philox4x32-10 of counter %08x...: got %08x %08x %08x %08x, want %08x %08x %08x %08x",
               k.counter[0], got[0], got[1], got[2], got[3], k.output[0], k.output[1], k.output[2], k.output[3]);
    }
}

}  // namespace

void check_reference(kgen_context*, Rng& rng) {
    check_normalisers();
    check_gradients(rng);
    check_philox_known_answers();
}

}  // namespace kgen_test
