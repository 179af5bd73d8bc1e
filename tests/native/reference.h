// A float64 reference for the operations of kgen.h, written from the formulas in kgen.h's
// comments and MATH.md section 1, not from kgen's sources: every logit of a query taken at once,
// the softmax and its sums directly (no online rescaling), kernels, gradients and normalisers in
// closed form, Philox4x32-10 checked against Random123's known answers.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "kgen.h"

namespace reference {

// What one kernel reduction reads, as host copies. Empty weights or bandwidths stand for NULL.
struct Problem {
    int kernel = KGEN_KERNEL_GAUSSIAN;
    std::vector<float> queries, data;
    int64_t m = 0, n = 0, d = 0;
    std::vector<float> weights;     // empty: NULL
    std::vector<float> bandwidths;  // empty: `bandwidth` for every query
    float bandwidth = 1.0f;
    bool leave_one_out = false;
    int64_t self_offset = 0;         // leave-one-out skips j == i + self_offset
    bool unit_null_weights = false;  // partial states: NULL weights are 1, not 1/n (1/(n-1))

    double bandwidth_of(int64_t i) const;
    double weight_of(int64_t j) const;
    bool skipped(int64_t i, int64_t j) const;
};

// log k(r) at bandwidth b in dimension d (kgen.h: Gaussian, Laplace, Cauchy).
double log_kernel(int kernel, int64_t d, double b, double r);
// grad_x log k(x, y) = factor * (y - x); 0 at r = 0 (the Laplace subgradient there).
double gradient_factor(int kernel, int64_t d, double b, double r);
// log of the integral of k over R^d: the normaliser of the KDE log-density.
double log_normaliser(int kernel, int64_t d, double b);

// Everything a reduction outputs, per query, with the scale its rounding error grows with.
struct Sums {
    std::vector<double> max_logit, lse, lse_scale;              // m
    std::vector<double> mean, mean_scale;                        // m x d: sum_j P_ij |y_jk|
    std::vector<double> gradient, gradient_scale;                // m x d: sum_j P_ij |g_ijk|
    std::vector<double> log_density, log_density_scale;          // m
    std::vector<double> score, score_scale;                      // m x d
};
Sums kernel_sums(const Problem& problem);

// The two nearest data rows of each query (m x 2), +inf and -1 where fewer remain; ties go to
// the smaller index.
struct Nearest {
    std::vector<double> distance;
    std::vector<int64_t> index;
};
double distance(const float* x, const float* y, int64_t d);
Nearest nearest_two(const std::vector<float>& queries, int64_t m, const std::vector<float>& data, int64_t n,
                    int64_t d, bool leave_one_out);
// sum_j w_j |x_i - y_j| (w_j = 1 for empty weights), with its scale sum_j |w_j| |x_i - y_j|.
std::vector<double> distance_sums(const std::vector<float>& queries, int64_t m, const std::vector<float>& data,
                                  int64_t n, int64_t d, const std::vector<float>& weights, bool leave_one_out);

// Philox4x32-10 (Salmon et al., SC'11), counter words c0..c3 and key words k0, k1.
std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);
// Word k of a stream as kgen.h lays it out: key = seed, counter = (k / 4, stream), lane k % 4.
uint32_t philox_word(uint64_t seed, uint64_t stream, uint64_t k);
// Uniform element k: the word's top 24 bits times 2^-24.
double uniform_element(uint64_t seed, uint64_t stream, uint64_t k);
// Normal element k: Box-Muller in double through libm on the lane pair of k.
double normal_element(uint64_t seed, uint64_t stream, uint64_t k);

}  // namespace reference
