// The fast path's driver: stage the data once per call, run the chosen instruction set's tiles
// over fixed blocks of queries on the pool, and write each block's outputs from its float64 sums
// with the epilogue the reference path uses (row_outputs.h).
#include "fast_sums.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "../../common/kernels.h"
#include "../row_outputs.h"
#include "kgen.h"

namespace kgen {
namespace {

// Queries per parallel chunk. The chunks depend on m alone, never on the thread count.
constexpr int64_t kLowDQueries = 16;
constexpr int64_t kHighDQueries = 32;

TileKernels kernels_for(int isa) {
    switch (isa) {
        case KGEN_CPU_ISA_AVX512: return avx512_tile_kernels();
        case KGEN_CPU_ISA_AVX2: return avx2_tile_kernels();
        default: return portable_tile_kernels();
    }
}

int64_t padded_dimension(int64_t d) {
    int64_t padded = 2;
    while (padded < d) padded *= 2;
    return padded;
}

// The staged copies a StagedData points into.
struct Staging {
    std::vector<float> columns, log_weights, squared_norms;
    std::vector<double> log_weights_f64;
};

double log_weight_of(const Reduction& p, int64_t j) {
    if (p.weights == nullptr) return (double)p.uniform_log_weight;
    return p.weights[j] > 0.0f ? std::log((double)p.weights[j]) : -INFINITY;
}

StagedData stage(ThreadPool& pool, const Reduction& p, Staging& buffers) {
    StagedData s;
    s.rows = p.data;
    s.n = p.n;
    s.d = p.d;
    if (p.d <= kMaxLowD) {
        s.padded_d = padded_dimension(p.d);
        s.padded_n = (p.n + 15) / 16 * 16;  // a whole number of vectors on every ISA
        buffers.columns.assign(s.padded_d * s.padded_n, 0.0f);
        buffers.log_weights.assign(s.padded_n, -INFINITY);
        for (int64_t j = 0; j < p.n; ++j) {
            for (int64_t k = 0; k < p.d; ++k) buffers.columns[k * s.padded_n + j] = p.data[j * p.d + k];
            buffers.log_weights[j] = (float)log_weight_of(p, j);
        }
        s.columns = buffers.columns.data();
        s.log_weights = buffers.log_weights.data();
    } else {
        buffers.squared_norms.resize(p.n);
        buffers.log_weights_f64.resize(p.n);
        pool.parallel_for(p.n, 256, [&](int64_t begin, int64_t end) {
            for (int64_t j = begin; j < end; ++j) {
                double n2 = 0.0;
                for (int64_t k = 0; k < p.d; ++k) n2 += (double)p.data[j * p.d + k] * (double)p.data[j * p.d + k];
                buffers.squared_norms[j] = (float)n2;
                buffers.log_weights_f64[j] = log_weight_of(p, j);
            }
        });
        s.squared_norms = buffers.squared_norms.data();
        s.log_weights_f64 = buffers.log_weights_f64.data();
    }
    return s;
}

// Runs the tiles over every query block; `finish(block, first query)` writes its outputs.
template <typename Finish>
void run_blocks(ThreadPool& pool, int isa, const Reduction& p, Finish&& finish) {
    Staging buffers;
    const StagedData s = stage(pool, p, buffers);
    const TileKernels tiles = kernels_for(isa);
    const bool low = p.d <= kMaxLowD;
    const int64_t grain = low ? kLowDQueries : kHighDQueries;
    pool.parallel_for(p.m, grain, [&](int64_t begin, int64_t end) {
        const int64_t count = end - begin;
        std::vector<double> scale(count), max_logit(count), sum_exp(count), weighted(count * p.d);
        std::vector<int64_t> self(count);
        for (int64_t q = 0; q < count; ++q) {
            const double h = p.bandwidths ? (double)p.bandwidths[begin + q] : (double)p.bandwidth;
            scale[q] = 1.0 / (2.0 * h * h);
            // The skipped row, or -1 where it lies outside the data (a slice's offset may put it there).
            const int64_t skip = begin + q + p.self_offset;
            self[q] = p.leave_one_out && skip >= 0 && skip < p.n ? skip : -1;
        }
        QueryBlock b;
        b.x = p.queries + begin * p.d;
        b.count = count;
        b.scale = scale.data();
        b.self = self.data();
        b.max_logit = max_logit.data();
        b.sum_exp = sum_exp.data();
        b.weighted = weighted.data();
        (low ? tiles.low_d : tiles.high_d)(s, b);
        for (int64_t q = 0; q < count; ++q) {
            finish(RowSums{max_logit[q], sum_exp[q], weighted.data() + q * p.d, nullptr}, begin + q);
        }
    });
}

}  // namespace

bool fast_sums_cover(const Reduction& p, bool gradient) {
    // The low-d tiles keep data indices in int32 lanes.
    return p.kernel == KGEN_KERNEL_GAUSSIAN && !gradient && (p.d > kMaxLowD || p.n < (int64_t(1) << 30));
}

void fast_reduce(ThreadPool& pool, int isa, const Reduction& p, const Epilogue& out) {
    run_blocks(pool, isa, p, [&](const RowSums& row, int64_t i) { write_row<GaussianKernel>(row, p, i, out); });
}

void fast_reduce_partial(ThreadPool& pool, int isa, const Reduction& p, const Partial& out) {
    run_blocks(pool, isa, p, [&](const RowSums& row, int64_t i) { write_partial_row(row, i, p.d, out); });
}

}  // namespace kgen
