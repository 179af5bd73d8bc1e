// CPU twin of the kernel-sum reductions: the reference the CUDA kernels are tested against.
// One query at a time, every sum in double, queries spread over threads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../common/epilogue.h"
#include "../common/philox.h"
#include "kernel_sums_cpu.h"
#include "parallel.h"

namespace kgen {
namespace {

// The running (max, sum, weighted sum, laplace sum) of one query, in double.
struct RowState {
    double max_logit = -INFINITY;
    double sum_exp = 0.0;
    std::vector<double> weighted;
    std::vector<double> laplace;

    RowState(int64_t d, bool with_laplace) : weighted(d), laplace(with_laplace ? d : 0) {}

    void reset() {
        max_logit = -INFINITY;
        sum_exp = 0.0;
        std::fill(weighted.begin(), weighted.end(), 0.0);
        std::fill(laplace.begin(), laplace.end(), 0.0);
    }

    // Multiplies every sum by `factor` (a change of reference max).
    void scale(double factor) {
        sum_exp *= factor;
        for (double& v : weighted) v *= factor;
        for (double& v : laplace) v *= factor;
    }
};

double bandwidth_of(const Reduction& p, int64_t i) {
    return p.bandwidths ? (double)p.bandwidths[i] : (double)p.bandwidth;
}

// Rows are taken in blocks: all logits of a block first, then one rescale to the block's max,
// then the exponentials and sums. This keeps the branchy max update out of the inner loop.
constexpr int64_t kRowBlock = 256;

void accumulate_row(const Reduction& p, int64_t i, RowState& row) {
    const int64_t d = p.d;
    const float* x = p.queries + i * d;
    const double c = logit_coefficient<double>(p.kernel, bandwidth_of(p, i));
    const bool laplace = !row.laplace.empty();
    const bool need_distance = p.kernel == KGEN_KERNEL_LAPLACE;
    double logits[kRowBlock], distances[kRowBlock];
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
            distances[t] = need_distance ? std::sqrt(r2) : 0.0;
            logits[t] = lw - (need_distance ? distances[t] * c : r2 * c);
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
            if (laplace && distances[t] > 0.0) {
                const double g = e * c / distances[t];  // c = 1/tau
                for (int64_t k = 0; k < d; ++k) row.laplace[k] += g * ((double)y[k] - (double)x[k]);
            }
        }
    }
}

// Writes the outputs of one complete row; x and h are needed only for score, log-density and
// the Euler step (which overwrites x: every other output of the row is written first).
void write_epilogue(const RowState& row, int64_t i, int64_t d, const float* x, double h,
                    const Epilogue& out) {
    NormalCache normals;
    double lse = row.max_logit + std::log(row.sum_exp);
    if (out.lse) out.lse[i] = (float)lse;
    if (out.log_density) out.log_density[i] = (float)(lse - gaussian_log_norm<double>(d, h));
    for (int64_t k = 0; k < d; ++k) {
        double mean = row.weighted[k] / row.sum_exp;
        if (out.mean) out.mean[i * d + k] = (float)mean;
        if (out.score) out.score[i * d + k] = (float)((mean - (double)x[k]) / (h * h));
        if (out.laplace_grad) out.laplace_grad[i * d + k] = (float)(row.laplace[k] / row.sum_exp);
        if (out.euler_step) {
            double z = out.noise != 0.0f ? normals.normal(out.seed, out.stream, out.noise_offset + (uint64_t)(i * d + k)) : 0.0;
            double moved = (double)x[k] + (double)out.step * (mean - (double)x[k]) / (h * h) + (double)out.noise * z;
            const_cast<float*>(x)[k] = (float)moved;  // x is the queries, updated in place
        }
    }
}

constexpr int64_t kRowsPerChunk = 16;

}  // namespace

void cpu_reduce(const Reduction& p, const Epilogue& out) {
    const bool laplace = out.laplace_grad != nullptr;
    parallel_for(p.m, kRowsPerChunk, [&](int64_t begin, int64_t end) {
        RowState row(p.d, laplace);
        for (int64_t i = begin; i < end; ++i) {
            accumulate_row(p, i, row);
            write_epilogue(row, i, p.d, p.queries + i * p.d, bandwidth_of(p, i), out);
        }
    });
}

void cpu_reduce_partial(const Reduction& p, const Partial& out) {
    const bool laplace = out.laplace_sum != nullptr;
    parallel_for(p.m, kRowsPerChunk, [&](int64_t begin, int64_t end) {
        RowState row(p.d, laplace);
        for (int64_t i = begin; i < end; ++i) {
            accumulate_row(p, i, row);
            out.max_logit[i] = (float)row.max_logit;
            out.sum_exp[i] = (float)row.sum_exp;
            for (int64_t k = 0; k < p.d; ++k) {
                out.weighted_sum[i * p.d + k] = (float)row.weighted[k];
                if (laplace) out.laplace_sum[i * p.d + k] = (float)row.laplace[k];
            }
        }
    });
}

void cpu_merge_partial(int64_t m, int64_t d, const Partial& a, const Partial& b) {
    parallel_for(m, 256, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            double ma = a.max_logit[i], mb = b.max_logit[i];
            double merged = std::fmax(ma, mb);
            double fa = rescale(ma, merged), fb = rescale(mb, merged);
            a.max_logit[i] = (float)merged;
            a.sum_exp[i] = (float)(a.sum_exp[i] * fa + b.sum_exp[i] * fb);
            for (int64_t k = i * d; k < (i + 1) * d; ++k) {
                a.weighted_sum[k] = (float)(a.weighted_sum[k] * fa + b.weighted_sum[k] * fb);
                if (a.laplace_sum) a.laplace_sum[k] = (float)(a.laplace_sum[k] * fa + b.laplace_sum[k] * fb);
            }
        }
    });
}

void cpu_finalize_partial(int64_t m, int64_t d, const Partial& state, const Epilogue& out) {
    parallel_for(m, 256, [&](int64_t begin, int64_t end) {
        RowState row(d, state.laplace_sum != nullptr);
        for (int64_t i = begin; i < end; ++i) {
            row.max_logit = state.max_logit[i];
            row.sum_exp = state.sum_exp[i];
            for (int64_t k = 0; k < d; ++k) {
                row.weighted[k] = state.weighted_sum[i * d + k];
                if (state.laplace_sum) row.laplace[k] = state.laplace_sum[i * d + k];
            }
            write_epilogue(row, i, d, nullptr, 1.0, out);
        }
    });
}

}  // namespace kgen
