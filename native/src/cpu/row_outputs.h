// What a complete or partial reduction writes for one query, from its sums in double. Shared by
// the reference and the fast path, so the two differ only in how they sum.
#pragma once

#include <cmath>
#include <cstdint>

#include "../backend.h"
#include "../common/philox.h"

namespace kgen {

// The sums of one query relative to its max logit: sum_exp = sum e_j, weighted = sum e_j y_j,
// gradient = sum e_j grad log k_ij, e_j = exp(a_j - max_logit), and optionally centered =
// sum e_j (y_j - x), which gives mean - x without cancellation where a path sums in float32.
// Each pointer may be null where no output reads it.
struct RowSums {
    double max_logit;
    double sum_exp;
    const double* weighted;
    const double* gradient;
    const double* centered = nullptr;
};

// The outputs every complete state has: lse, mean and gradient.
inline void write_sums(const RowSums& row, int64_t i, int64_t d, const Epilogue& out) {
    if (out.lse) out.lse[i] = (float)(row.max_logit + std::log(row.sum_exp));
    for (int64_t k = 0; k < d; ++k) {
        if (out.mean) out.mean[i * d + k] = (float)(row.weighted[k] / row.sum_exp);
        if (out.gradient) out.gradient[i * d + k] = (float)(row.gradient[k] / row.sum_exp);
    }
}

// The outputs that need the query and its bandwidth: log-density, score, the Euler step (which
// overwrites the query: every other output of the row is written first).
template <typename K>
void write_query_outputs(const RowSums& row, int64_t i, int64_t d, const float* x, double h, const Epilogue& out) {
    if (out.log_density) {
        out.log_density[i] = (float)(row.max_logit + std::log(row.sum_exp) - K::log_norm(d, h));
    }
    if (!out.score && !out.euler.x) return;
    NormalCache normals;
    const EulerStep& step = out.euler;
    for (int64_t k = 0; k < d; ++k) {
        const double offset = row.centered ? row.centered[k] / row.sum_exp : row.weighted[k] / row.sum_exp - (double)x[k];
        if (out.score) out.score[i * d + k] = (float)(offset / (h * h));
        if (step.x) {
            const double z = step.noise != 0.0f ? normals.normal(step.seed, step.stream, step.offset + (uint64_t)(i * d + k)) : 0.0;
            step.x[i * d + k] = (float)((double)x[k] + (double)step.step * offset / (h * h) + (double)step.noise * z);
        }
    }
}

template <typename K>
void write_row(const RowSums& row, const Reduction& p, int64_t i, const Epilogue& out) {
    write_sums(row, i, p.d, out);
    write_query_outputs<K>(row, i, p.d, p.queries + i * p.d,
                           p.bandwidths ? (double)p.bandwidths[i] : (double)p.bandwidth, out);
}

inline void write_partial_row(const RowSums& row, int64_t i, int64_t d, const Partial& out) {
    out.max_logit[i] = (float)row.max_logit;
    out.sum_exp[i] = (float)row.sum_exp;
    for (int64_t k = 0; k < d; ++k) {
        out.weighted_sum[i * d + k] = (float)row.weighted[k];
        if (out.gradient_sum) out.gradient_sum[i * d + k] = (float)row.gradient[k];
    }
}

}  // namespace kgen
