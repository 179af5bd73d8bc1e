// CPU twin of the kernel-sum reductions: the reference the CUDA kernels are tested against.
// One query at a time, every sum in double, queries spread over threads; the kernel comes from
// common/kernels.h, instantiated once per family.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../common/kernels.h"
#include "../common/log_sum_exp.h"
#include "cpu_ops.h"
#include "row_outputs.h"
#include "thread_pool.h"

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

    RowSums sums() const { return RowSums{max_logit, sum_exp, weighted.data(), gradient.empty() ? nullptr : gradient.data()}; }
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

constexpr int64_t kRowsPerChunk = 16;

template <typename K>
void reduce_rows(ThreadPool& pool, const Reduction& p, const Epilogue& out) {
    pool.parallel_for(p.m, kRowsPerChunk, [&](int64_t begin, int64_t end) {
        RowState row(p.d, out.gradient != nullptr);
        for (int64_t i = begin; i < end; ++i) {
            accumulate_row<K>(p, i, row);
            write_row<K>(row.sums(), p, i, out);
        }
    });
}

template <typename K>
void reduce_rows_partial(ThreadPool& pool, const Reduction& p, const Partial& out) {
    pool.parallel_for(p.m, kRowsPerChunk, [&](int64_t begin, int64_t end) {
        RowState row(p.d, out.gradient_sum != nullptr);
        for (int64_t i = begin; i < end; ++i) {
            accumulate_row<K>(p, i, row);
            write_partial_row(row.sums(), i, p.d, out);
        }
    });
}

}  // namespace

void cpu_reduce(ThreadPool& pool, const Reduction& p, const Epilogue& out) {
    for_kernel(p.kernel, [&](auto kernel) { reduce_rows<decltype(kernel)>(pool, p, out); });
}

void cpu_reduce_partial(ThreadPool& pool, const Reduction& p, const Partial& out) {
    for_kernel(p.kernel, [&](auto kernel) { reduce_rows_partial<decltype(kernel)>(pool, p, out); });
}

void cpu_merge_partial(ThreadPool& pool, int64_t m, int64_t d, const Partial& a, const ConstPartial& b) {
    pool.parallel_for(m, 256, [&](int64_t begin, int64_t end) {
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

void cpu_finalize_partial(ThreadPool& pool, int64_t m, int64_t d, const ConstPartial& state, const Epilogue& out) {
    pool.parallel_for(m, 256, [&](int64_t begin, int64_t end) {
        RowState row(d, state.gradient_sum != nullptr);
        for (int64_t i = begin; i < end; ++i) {
            row.max_logit = state.max_logit[i];
            row.sum_exp = state.sum_exp[i];
            for (int64_t k = 0; k < d; ++k) {
                row.weighted[k] = state.weighted_sum[i * d + k];
                if (state.gradient_sum) row.gradient[k] = state.gradient_sum[i * d + k];
            }
            write_sums(row.sums(), i, d, out);
        }
    });
}

}  // namespace kgen
