// CPU twin of the kernel-sum reductions: the reference the CUDA kernels are tested against.
// One query at a time, every sum in double, queries spread over threads; the kernel comes from
// common/kernels.h, instantiated once per family.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../common/kernels.h"
#include "../common/log_sum_exp.h"
#include "../common/philox.h"
#include "cpu_ops.h"
#include "parallel.h"

namespace kgen {
namespace {

// The running (max, sum, weighted sum, gradient sum) of one query, in double.
struct RowState {
    double max_logit = -INFINITY;
    double sum_exp = 0.0;
    std::vector<double> weighted;
    std::vector<double> gradient;

    RowState(int64_t d, bool with_gradient) : weighted(d), gradient(with_gradient ? d : 0) {}

    void reset() {
        max_logit = -INFINITY;
        sum_exp = 0.0;
        std::fill(weighted.begin(), weighted.end(), 0.0);
        std::fill(gradient.begin(), gradient.end(), 0.0);
    }

    // Multiplies every sum by `factor` (a change of reference max).
    void scale(double factor) {
        sum_exp *= factor;
        for (double& v : weighted) v *= factor;
        for (double& v : gradient) v *= factor;
    }
};

double bandwidth_of(const Reduction& p, int64_t i) {
    return p.bandwidths ? (double)p.bandwidths[i] : (double)p.bandwidth;
}

// Rows are taken in blocks: all logits of a block first, then one rescale to the block's max,
// then the exponentials and sums. This keeps the branchy max update out of the inner loop.
constexpr int64_t kRowBlock = 256;

template <typename K>
void accumulate_row(const Reduction& p, int64_t i, RowState& row) {
    const int64_t d = p.d;
    const float* x = p.queries + i * d;
    const typename K::template Query<double> q(bandwidth_of(p, i), d, 1.0);
    const bool gradient = !row.gradient.empty();
    double logits[kRowBlock], squared[kRowBlock], distances[kRowBlock];
    row.reset();
    for (int64_t j0 = 0; j0 < p.n; j0 += kRowBlock) {
        const int64_t rows = std::min(kRowBlock, p.n - j0);
        double block_max = -INFINITY;
        for (int64_t t = 0; t < rows; ++t) {
            const int64_t j = j0 + t;
            double lw = log_weight<double>(p.weights, j, (double)p.uniform_log_weight);
            if (lw == -INFINITY || (p.leave_one_out && j == i + p.self_offset)) {
                logits[t] = -INFINITY;
                continue;
            }
            const float* y = p.data + j * d;
            double r2 = 0.0;
            for (int64_t k = 0; k < d; ++k) {
                double diff = (double)x[k] - (double)y[k];
                r2 += diff * diff;
            }
            squared[t] = r2;
            distances[t] = K::kNeedsDistance ? std::sqrt(r2) : 0.0;
            logits[t] = pair_logit(q, lw, r2, distances[t]);
            block_max = std::fmax(block_max, logits[t]);
        }
        if (block_max == -INFINITY) continue;
        if (block_max > row.max_logit) {
            row.scale(rescale(row.max_logit, block_max));
            row.max_logit = block_max;
        }
        for (int64_t t = 0; t < rows; ++t) {
            if (logits[t] == -INFINITY) continue;
            const float* y = p.data + (j0 + t) * d;
            const double e = std::exp(logits[t] - row.max_logit);
            row.sum_exp += e;
            for (int64_t k = 0; k < d; ++k) row.weighted[k] += e * (double)y[k];
            if (gradient) {
                const double scaled = e * q.gradient_scale();
                const double shape = q.gradient_shape(squared[t], distances[t]);
                for (int64_t k = 0; k < d; ++k) row.gradient[k] += scaled * (((double)y[k] - (double)x[k]) * shape);
            }
        }
    }
}

// The outputs every complete state has: lse, mean and gradient.
void write_sums(const RowState& row, int64_t i, int64_t d, const Epilogue& out) {
    if (out.lse) out.lse[i] = (float)(row.max_logit + std::log(row.sum_exp));
    for (int64_t k = 0; k < d; ++k) {
        if (out.mean) out.mean[i * d + k] = (float)(row.weighted[k] / row.sum_exp);
        if (out.gradient) out.gradient[i * d + k] = (float)(row.gradient[k] / row.sum_exp);
    }
}

// The outputs that need the query and its bandwidth: log-density, score, the Euler step (which
// overwrites the query: every other output of the row is written first).
template <typename K>
void write_query_outputs(const RowState& row, int64_t i, int64_t d, const float* x, double h, const Epilogue& out) {
    if (out.log_density) {
        out.log_density[i] = (float)(row.max_logit + std::log(row.sum_exp) - K::log_norm(d, h));
    }
    if (!out.score && !out.euler.x) return;
    NormalCache normals;
    const EulerStep& step = out.euler;
    for (int64_t k = 0; k < d; ++k) {
        const double mean = row.weighted[k] / row.sum_exp;
        if (out.score) out.score[i * d + k] = (float)((mean - (double)x[k]) / (h * h));
        if (step.x) {
            const double z = step.noise != 0.0f ? normals.normal(step.seed, step.stream, step.offset + (uint64_t)(i * d + k)) : 0.0;
            step.x[i * d + k] = (float)((double)x[k] + (double)step.step * (mean - (double)x[k]) / (h * h) + (double)step.noise * z);
        }
    }
}

constexpr int64_t kRowsPerChunk = 16;

template <typename K>
void reduce_rows(const Reduction& p, const Epilogue& out) {
    parallel_for(p.m, kRowsPerChunk, [&](int64_t begin, int64_t end) {
        RowState row(p.d, out.gradient != nullptr);
        for (int64_t i = begin; i < end; ++i) {
            accumulate_row<K>(p, i, row);
            write_sums(row, i, p.d, out);
            write_query_outputs<K>(row, i, p.d, p.queries + i * p.d, bandwidth_of(p, i), out);
        }
    });
}

template <typename K>
void reduce_rows_partial(const Reduction& p, const Partial& out) {
    parallel_for(p.m, kRowsPerChunk, [&](int64_t begin, int64_t end) {
        RowState row(p.d, out.gradient_sum != nullptr);
        for (int64_t i = begin; i < end; ++i) {
            accumulate_row<K>(p, i, row);
            out.max_logit[i] = (float)row.max_logit;
            out.sum_exp[i] = (float)row.sum_exp;
            for (int64_t k = 0; k < p.d; ++k) {
                out.weighted_sum[i * p.d + k] = (float)row.weighted[k];
                if (out.gradient_sum) out.gradient_sum[i * p.d + k] = (float)row.gradient[k];
            }
        }
    });
}

}  // namespace

void cpu_reduce(const Reduction& p, const Epilogue& out) {
    for_kernel(p.kernel, [&](auto kernel) { reduce_rows<decltype(kernel)>(p, out); });
}

void cpu_reduce_partial(const Reduction& p, const Partial& out) {
    for_kernel(p.kernel, [&](auto kernel) { reduce_rows_partial<decltype(kernel)>(p, out); });
}

void cpu_merge_partial(int64_t m, int64_t d, const Partial& a, const ConstPartial& b) {
    parallel_for(m, 256, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            double ma = a.max_logit[i], mb = b.max_logit[i];
            double merged = std::fmax(ma, mb);
            double fa = rescale(ma, merged), fb = rescale(mb, merged);
            a.max_logit[i] = (float)merged;
            a.sum_exp[i] = (float)(a.sum_exp[i] * fa + b.sum_exp[i] * fb);
            for (int64_t k = i * d; k < (i + 1) * d; ++k) {
                a.weighted_sum[k] = (float)(a.weighted_sum[k] * fa + b.weighted_sum[k] * fb);
                if (a.gradient_sum) a.gradient_sum[k] = (float)(a.gradient_sum[k] * fa + b.gradient_sum[k] * fb);
            }
        }
    });
}

void cpu_finalize_partial(int64_t m, int64_t d, const ConstPartial& state, const Epilogue& out) {
    parallel_for(m, 256, [&](int64_t begin, int64_t end) {
        RowState row(d, state.gradient_sum != nullptr);
        for (int64_t i = begin; i < end; ++i) {
            row.max_logit = state.max_logit[i];
            row.sum_exp = state.sum_exp[i];
            for (int64_t k = 0; k < d; ++k) {
                row.weighted[k] = state.weighted_sum[i * d + k];
                if (state.gradient_sum) row.gradient[k] = state.gradient_sum[i * d + k];
            }
            write_sums(row, i, d, out);
        }
    });
}

}  // namespace kgen
