// The float64 reference (reference.h). Written from the formulas, for clarity over speed: the
// sizes the tests use keep the O(m n d) loops well under a second.
#include "reference.h"

#include <algorithm>
#include <cmath>

namespace reference {
namespace {

constexpr double kPi = 3.14159265358979323846;

// A floor for scales, so that an exact 0 compared with a scale of 0 is 0 / floor, not 0 / 0.
constexpr double kTinyScale = 1e-30;

}  // namespace

double Problem::bandwidth_of(int64_t i) const {
    return bandwidths.empty() ? (double)bandwidth : (double)bandwidths[(size_t)i];
}

double Problem::weight_of(int64_t j) const {
    if (!weights.empty()) return (double)weights[(size_t)j];
    if (unit_null_weights) return 1.0;
    return 1.0 / (double)(leave_one_out ? n - 1 : n);
}

bool Problem::skipped(int64_t i, int64_t j) const { return leave_one_out && j == i + self_offset; }

double log_kernel(int kernel, int64_t d, double b, double r) {
    switch (kernel) {
        case KGEN_KERNEL_GAUSSIAN: return -r * r / (2.0 * b * b);
        case KGEN_KERNEL_LAPLACE: return -r / b;
        default: return -0.5 * (double)(d + 1) * std::log1p(r * r / (b * b));
    }
}

// Gaussian: grad -r^2/(2b^2) = (y - x)/b^2. Laplace: grad -r/b = (y - x)/(b r), 0 at r = 0.
// Cauchy: grad -((d+1)/2) log(1 + r^2/b^2) = (d + 1)(y - x)/(b^2 + r^2).
double gradient_factor(int kernel, int64_t d, double b, double r) {
    if (r == 0.0) return 0.0;
    switch (kernel) {
        case KGEN_KERNEL_GAUSSIAN: return 1.0 / (b * b);
        case KGEN_KERNEL_LAPLACE: return 1.0 / (b * r);
        default: return (double)(d + 1) / (b * b + r * r);
    }
}

// Gaussian: (2 pi b^2)^(d/2). Laplace: the unit sphere's surface 2 pi^(d/2) / Gamma(d/2) times
// the radial integral Gamma(d) b^d. Cauchy (Student-t, one degree of freedom, scale b):
// pi^((d+1)/2) b^d / Gamma((d+1)/2).
double log_normaliser(int kernel, int64_t d, double b) {
    const double dd = (double)d;
    switch (kernel) {
        case KGEN_KERNEL_GAUSSIAN: return 0.5 * dd * std::log(2.0 * kPi) + dd * std::log(b);
        case KGEN_KERNEL_LAPLACE:
            return std::log(2.0) + 0.5 * dd * std::log(kPi) - std::lgamma(0.5 * dd) + std::lgamma(dd) +
                   dd * std::log(b);
        default: return 0.5 * (dd + 1.0) * std::log(kPi) + dd * std::log(b) - std::lgamma(0.5 * (dd + 1.0));
    }
}

double distance(const float* x, const float* y, int64_t d) {
    double r2 = 0.0;
    for (int64_t k = 0; k < d; ++k) {
        const double diff = (double)x[k] - (double)y[k];
        r2 += diff * diff;
    }
    return std::sqrt(r2);
}

Sums kernel_sums(const Problem& p) {
    const int64_t m = p.m, n = p.n, d = p.d;
    Sums s;
    s.max_logit.assign(m, -INFINITY);
    s.lse.assign(m, -INFINITY);
    s.lse_scale.assign(m, 1.0);
    s.mean.assign(m * d, NAN);
    s.mean_scale.assign(m * d, kTinyScale);
    s.gradient.assign(m * d, NAN);
    s.gradient_scale.assign(m * d, kTinyScale);
    s.log_density.assign(m, NAN);
    s.log_density_scale.assign(m, 1.0);
    s.score.assign(m * d, NAN);
    s.score_scale.assign(m * d, kTinyScale);
    std::vector<double> logits(n), distances(n);
    for (int64_t i = 0; i < m; ++i) {
        const float* x = &p.queries[i * d];
        const double b = p.bandwidth_of(i);
        double max_logit = -INFINITY;
        for (int64_t j = 0; j < n; ++j) {
            const double w = p.weight_of(j);
            logits[j] = -INFINITY;
            if (p.skipped(i, j) || w == 0.0) continue;
            distances[j] = distance(x, &p.data[j * d], d);
            logits[j] = std::log(w) + log_kernel(p.kernel, d, b, distances[j]);
            max_logit = std::max(max_logit, logits[j]);
        }
        s.max_logit[i] = max_logit;
        if (max_logit == -INFINITY) continue;  // no pair: only partial states define this row
        double sum = 0.0;
        for (int64_t j = 0; j < n; ++j) sum += std::exp(logits[j] - max_logit);
        const double lse = max_logit + std::log(sum);
        s.lse[i] = lse;
        s.lse_scale[i] = 1.0 + std::fabs(lse);
        const double log_z = log_normaliser(p.kernel, d, b);
        s.log_density[i] = lse - log_z;
        s.log_density_scale[i] = 1.0 + std::fabs(lse) + std::fabs(log_z);
        for (int64_t k = 0; k < d; ++k) {
            double mean = 0.0, mean_abs = 0.0, gradient = 0.0, gradient_abs = 0.0;
            for (int64_t j = 0; j < n; ++j) {
                if (logits[j] == -INFINITY) continue;
                const double probability = std::exp(logits[j] - lse);
                const double y = (double)p.data[j * d + k];
                const double g = gradient_factor(p.kernel, d, b, distances[j]) * (y - (double)x[k]);
                mean += probability * y;
                mean_abs += probability * std::fabs(y);
                gradient += probability * g;
                gradient_abs += probability * std::fabs(g);
            }
            s.mean[i * d + k] = mean;
            s.mean_scale[i * d + k] = std::max(mean_abs, kTinyScale);
            s.gradient[i * d + k] = gradient;
            s.gradient_scale[i * d + k] = std::max(gradient_abs, kTinyScale);
            // The score is grad log p, the gradient above; a Gaussian score computed as
            // (mean - x) / b^2 also rounds with |mean| and |x|.
            s.score[i * d + k] = gradient;
            s.score_scale[i * d + k] = std::max(
                gradient_abs + (p.kernel == KGEN_KERNEL_GAUSSIAN ? (mean_abs + std::fabs(x[k])) / (b * b) : 0.0),
                kTinyScale);
        }
    }
    return s;
}

Nearest nearest_two(const std::vector<float>& queries, int64_t m, const std::vector<float>& data, int64_t n,
                    int64_t d, bool leave_one_out) {
    Nearest out;
    out.distance.assign(2 * m, INFINITY);
    out.index.assign(2 * m, -1);
    for (int64_t i = 0; i < m; ++i) {
        std::vector<std::pair<double, int64_t>> candidates;
        for (int64_t j = 0; j < n; ++j) {
            if (leave_one_out && j == i) continue;
            candidates.emplace_back(distance(&queries[i * d], &data[j * d], d), j);
        }
        std::sort(candidates.begin(), candidates.end());  // by distance, then index
        for (size_t k = 0; k < 2 && k < candidates.size(); ++k) {
            out.distance[2 * i + k] = candidates[k].first;
            out.index[2 * i + k] = candidates[k].second;
        }
    }
    return out;
}

std::vector<double> distance_sums(const std::vector<float>& queries, int64_t m, const std::vector<float>& data,
                                  int64_t n, int64_t d, const std::vector<float>& weights, bool leave_one_out) {
    std::vector<double> sums(m, 0.0);
    for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
            if (leave_one_out && j == i) continue;
            const double w = weights.empty() ? 1.0 : (double)weights[j];
            sums[i] += w * distance(&queries[i * d], &data[j * d], d);
        }
    }
    return sums;
}

std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> c, std::array<uint32_t, 2> key) {
    const uint64_t multiplier0 = 0xD2511F53u, multiplier1 = 0xCD9E8D57u;
    for (int round = 0; round < 10; ++round) {
        const uint64_t product0 = multiplier0 * c[0], product1 = multiplier1 * c[2];
        c = {(uint32_t)(product1 >> 32) ^ c[1] ^ key[0], (uint32_t)product1,
             (uint32_t)(product0 >> 32) ^ c[3] ^ key[1], (uint32_t)product0};
        key[0] += 0x9E3779B9u;  // the Weyl key schedule
        key[1] += 0xBB67AE85u;
    }
    return c;
}

uint32_t philox_word(uint64_t seed, uint64_t stream, uint64_t k) {
    const uint64_t block = k / 4;
    const auto words = philox4x32_10({(uint32_t)block, (uint32_t)(block >> 32), (uint32_t)stream,
                                      (uint32_t)(stream >> 32)},
                                     {(uint32_t)seed, (uint32_t)(seed >> 32)});
    return words[k % 4];
}

double uniform_element(uint64_t seed, uint64_t stream, uint64_t k) {
    return (double)(philox_word(seed, stream, k) >> 8) * 0x1.0p-24;
}

// kgen.h says "Box-Muller on lane pairs"; which word is the radius and which the angle, and how
// a word becomes a number, is kgen's (common/philox.h, Philox.java): lanes (0, 1) and (2, 3) pair
// up; u = (first + 1) 2^-32 in (0, 1] gives the radius sqrt(-2 log u), the second word the angle
// 2 pi second 2^-32; the even lane is the cosine, the odd lane the sine.
double normal_element(uint64_t seed, uint64_t stream, uint64_t k) {
    const uint64_t first = k - k % 2;
    const double u = ((double)philox_word(seed, stream, first) + 1.0) * 0x1.0p-32;
    const double angle = 2.0 * kPi * (double)philox_word(seed, stream, first + 1) * 0x1.0p-32;
    const double radius = std::sqrt(-2.0 * std::log(u));
    return k % 2 == 0 ? radius * std::cos(angle) : radius * std::sin(angle);
}

}  // namespace reference
