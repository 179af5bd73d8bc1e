// The fast path's driver: stage the data once per call, run the chosen instruction set's tiles
// over fixed blocks of queries on the pool, and write each block's outputs from its float64 sums
// with the epilogue the reference path uses (row_outputs.h).
#include "fast_sums.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../../common/kernels.h"
#include "../row_outputs.h"
#include "kgen.h"

namespace kgen {
namespace {

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
    std::vector<float> columns, log_weights, squared_norms, centered, center;
    std::vector<double> log_weights_f64;
};

constexpr int64_t kStagingRows = 256;

// |y_j|^2 of the rows s.rows points to, in parallel.
void squared_norms(ThreadPool& pool, const StagedData& s, Staging& buffers) {
    buffers.squared_norms.resize(s.n);
    pool.parallel_for(s.n, kStagingRows, [&](int64_t begin, int64_t end) {
        for (int64_t j = begin; j < end; ++j) {
            double n2 = 0.0;
            for (int64_t k = 0; k < s.d; ++k) n2 += (double)s.rows[j * s.d + k] * (double)s.rows[j * s.d + k];
            buffers.squared_norms[j] = (float)n2;
        }
    });
}

// High d: whether to move the data to its mean. Off the origin, |x|^2 + |y|^2 - 2 x.y cancels
// and float32 sums of e y lose the mean's offset from x (what the score is); both errors scale
// with |y|^2, which centering brings down to the spread. y - center is exact for coordinates
// within a factor 2 of the center, and costs a copy of the data, so it is made only where the
// mean carries more than half of the data's energy.
void center_if_off_origin(ThreadPool& pool, StagedData& s, Staging& buffers) {
    const int64_t n = s.n, d = s.d;
    // Column sums per fixed chunk of rows, added in chunk order: the same bits on any thread count.
    const int64_t chunks = (n + kStagingRows - 1) / kStagingRows;
    std::vector<double> column_sums(chunks * d, 0.0);
    pool.parallel_for(chunks, 1, [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) {
            for (int64_t j = c * kStagingRows; j < std::min(n, (c + 1) * kStagingRows); ++j) {
                for (int64_t k = 0; k < d; ++k) column_sums[c * d + k] += (double)s.rows[j * d + k];
            }
        }
    });
    double energy = 0.0, mean_energy = 0.0;
    for (int64_t j = 0; j < n; ++j) energy += (double)buffers.squared_norms[j];
    std::vector<float> center(d);
    for (int64_t k = 0; k < d; ++k) {
        double sum = 0.0;
        for (int64_t c = 0; c < chunks; ++c) sum += column_sums[c * d + k];
        center[k] = (float)(sum / (double)n);
        mean_energy += (double)center[k] * (double)center[k];
    }
    if (mean_energy <= 0.5 * energy / (double)n) return;
    buffers.center = std::move(center);
    buffers.centered.resize(n * d);
    pool.parallel_for(n, kStagingRows, [&](int64_t begin, int64_t end) {
        for (int64_t e = begin * d; e < end * d; ++e) buffers.centered[e] = s.rows[e] - buffers.center[e % d];
    });
    s.rows = buffers.centered.data();
    s.center = buffers.center.data();
    squared_norms(pool, s, buffers);
}

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
        squared_norms(pool, s, buffers);
        center_if_off_origin(pool, s, buffers);
        buffers.log_weights_f64.resize(p.n);
        for (int64_t j = 0; j < p.n; ++j) buffers.log_weights_f64[j] = log_weight_of(p, j);
        s.squared_norms = buffers.squared_norms.data();
        s.log_weights_f64 = buffers.log_weights_f64.data();
    }
    return s;
}

// Which sums the outputs read.
struct SumsWanted {
    bool weighted;  // mean, a partial state's weighted sum
    bool centered;  // score, Euler step, gradient
};

// The buffers of one query block, kept per thread between blocks and calls: a fresh block of a
// megabyte or more comes from mmap, and its first touch page-faults on every call (about as
// slow as the GEMM work of a high-d block). The pool's threads live as long as their context.
struct BlockScratch {
    std::vector<double> scale, max_logit, sum_exp, weighted, centered, gradients;
    std::vector<int64_t> self;
    std::vector<float> centered_x;
    std::vector<unsigned char> tiles;  // the high-d tiles' buffers (QueryBlock::scratch)
};
thread_local BlockScratch block_scratch;
thread_local std::vector<double> kept_partial;  // run_blocks' slices, at most 256 MB (blas_split)

// The per-block work of run_blocks: sets up a QueryBlock over `kept` for queries [begin, begin +
// count) and data rows [rows_begin, rows_end), runs the tiles, and writes the outputs.
template <typename Finish>
struct BlockRunner {
    const Reduction& p;
    const StagedData& s;
    const TileKernels& tiles;
    SumsWanted wanted;
    bool gradient;
    Finish& finish;

    void sum(int64_t begin, int64_t count, int64_t rows_begin, int64_t rows_end, BlockScratch& kept) const {
        const bool low = p.d <= kMaxLowD;
        kept.scale.resize(count);
        kept.max_logit.resize(count);
        kept.sum_exp.resize(count);
        kept.self.resize(count);
        kept.weighted.assign(wanted.weighted ? count * p.d : 0, 0.0);
        kept.centered.assign(wanted.centered ? count * p.d : 0, 0.0);
        for (int64_t q = 0; q < count; ++q) {
            const double h = p.bandwidths ? (double)p.bandwidths[begin + q] : (double)p.bandwidth;
            kept.scale[q] = 1.0 / (2.0 * h * h);
            // The skipped row, or -1 where it lies outside the data (a slice's offset may put it there).
            const int64_t skip = begin + q + p.self_offset;
            kept.self[q] = p.leave_one_out && skip >= 0 && skip < p.n ? skip : -1;
        }
        QueryBlock b;
        b.x = p.queries + begin * p.d;
        if (s.center) {
            kept.centered_x.resize(count * p.d);
            for (int64_t e = 0; e < count * p.d; ++e) kept.centered_x[e] = b.x[e] - s.center[e % p.d];
            b.x = kept.centered_x.data();
        }
        b.count = count;
        b.rows_begin = rows_begin;
        b.rows_end = rows_end;
        b.scale = kept.scale.data();
        b.self = kept.self.data();
        b.max_logit = kept.max_logit.data();
        b.sum_exp = kept.sum_exp.data();
        b.weighted = wanted.weighted ? kept.weighted.data() : nullptr;
        b.centered = wanted.centered ? kept.centered.data() : nullptr;
        if (!low) {
            // 64 bytes spare: the base is aligned here
            kept.tiles.resize((size_t)tiles.high_d_scratch_bytes(count, p.d, s.sgemm != nullptr) + 64);
            const uintptr_t base = (uintptr_t)kept.tiles.data();
            b.scratch = (unsigned char*)((base + 63) / 64 * 64);
        }
        (low ? tiles.low_d : tiles.high_d)(s, b);
    }

    void write(int64_t begin, int64_t count, BlockScratch& kept) const {
        kept.gradients.assign(gradient ? p.d : 0, 0.0);
        for (int64_t q = 0; q < count; ++q) {
            double* w = wanted.weighted ? kept.weighted.data() + q * p.d : nullptr;
            if (w && s.center) {
                for (int64_t k = 0; k < p.d; ++k) w[k] += (double)s.center[k] * kept.sum_exp[q];
            }
            const double* c = wanted.centered ? kept.centered.data() + q * p.d : nullptr;
            // The Gaussian's grad_x log k = 2 c (y - x): its sum is 2 c sum e (y - x).
            for (int64_t k = 0; k < (int64_t)kept.gradients.size(); ++k) kept.gradients[k] = 2.0 * kept.scale[q] * c[k];
            finish(RowSums{kept.max_logit[q], kept.sum_exp[q], w, gradient ? kept.gradients.data() : nullptr, c},
                   begin + q);
        }
    }
};

// Runs the tiles over every query block (and data slice, see BlockSplit); `finish(row sums,
// query)` writes its outputs.
template <typename Finish>
void run_blocks(ThreadPool& pool, int isa, SgemmFunction sgemm, const Reduction& p, SumsWanted wanted, bool gradient, Finish&& finish) {
    Staging buffers;
    StagedData s = stage(pool, p, buffers);
    s.sgemm = sgemm;
    const TileKernels tiles = kernels_for(isa);
    const bool low = p.d <= kMaxLowD;
    // High d sums e y alone (gradient outputs go to the reference path there).
    if (!low) wanted = SumsWanted{true, false};
    const BlockSplit split = low ? BlockSplit{kLowDQueries, 1, p.n}
                             : sgemm ? blas_split(p.m, p.n, p.d) : BlockSplit{kHighDQueries, 1, p.n};
    const BlockRunner<Finish> runner{p, s, tiles, wanted, gradient, finish};
    if (split.slices == 1) {
        pool.parallel_for(p.m, split.query_grain, [&](int64_t begin, int64_t end) {
            runner.sum(begin, end - begin, 0, p.n, block_scratch);
            runner.write(begin, end - begin, block_scratch);
        });
        return;
    }
    // Each (query block, data slice) unit keeps its max, sum and e.y per query; the slices are
    // then merged in their order, as partial states are (MATH.md): the same bits on any thread count.
    const int64_t d = p.d, width = d + 2, slices = split.slices;
    const int64_t blocks = (p.m + split.query_grain - 1) / split.query_grain;
    std::vector<double>& partial = kept_partial;  // kept on this thread, as BlockScratch is
    partial.resize(slices * p.m * width);
    pool.parallel_for(blocks * slices, 1, [&](int64_t u0, int64_t u1) {
        for (int64_t u = u0; u < u1; ++u) {
            const int64_t block = u / slices, slice = u % slices;
            const int64_t begin = block * split.query_grain, count = std::min(p.m, begin + split.query_grain) - begin;
            BlockScratch& kept = block_scratch;
            runner.sum(begin, count, slice * split.slice_rows, std::min(p.n, (slice + 1) * split.slice_rows), kept);
            for (int64_t q = 0; q < count; ++q) {
                double* out = partial.data() + (slice * p.m + begin + q) * width;
                out[0] = kept.max_logit[q];
                out[1] = kept.sum_exp[q];
                std::copy(kept.weighted.begin() + q * d, kept.weighted.begin() + (q + 1) * d, out + 2);
            }
        }
    });
    pool.parallel_for(p.m, split.query_grain, [&](int64_t begin, int64_t end) {
        BlockScratch& kept = block_scratch;
        const int64_t count = end - begin;
        runner.sum(begin, count, 0, 0, kept);  // no rows: sets the block up (scale, zero sums)
        for (int64_t q = 0; q < count; ++q) {
            double top = -INFINITY;
            for (int64_t slice = 0; slice < slices; ++slice) top = std::max(top, partial[(slice * p.m + begin + q) * width]);
            kept.max_logit[q] = top;
            if (top == -INFINITY) continue;
            for (int64_t slice = 0; slice < slices; ++slice) {
                const double* in = partial.data() + (slice * p.m + begin + q) * width;
                if (in[0] == -INFINITY) continue;
                const double factor = std::exp(in[0] - top);
                kept.sum_exp[q] += factor * in[1];
                for (int64_t k = 0; k < d; ++k) kept.weighted[q * d + k] += factor * in[2 + k];
            }
        }
        runner.write(begin, count, kept);
    });
}

}  // namespace

BlockSplit blas_split(int64_t m, int64_t n, int64_t d) {
    BlockSplit split;
    const int64_t blocks = (m + 127) / 128;
    split.query_grain = (m + blocks - 1) / blocks;
    const int64_t row_blocks = (n + kBlasRows - 1) / kBlasRows;
    split.slices = std::max<int64_t>(1, std::min((4 + blocks - 1) / blocks, row_blocks / 4));
    // the slices' partial sums (slices x m x (d + 2) doubles) stay under 256 MB
    while (split.slices > 1 && split.slices * m * (d + 2) * 8 > (int64_t(256) << 20)) --split.slices;
    split.slice_rows = (row_blocks + split.slices - 1) / split.slices * kBlasRows;
    split.slices = (n + split.slice_rows - 1) / split.slice_rows;
    return split;
}

bool fast_sums_cover(const Reduction& p, bool gradient) {
    // The low-d tiles keep data indices in int32 lanes. At high d the gradient sum
    // 2 c (sum e y - x sum e) would cancel where the rows that carry the weight lie close to x
    // on a coordinate (the score, (mean - x) / h^2, is held to |mean| + |x| instead); the
    // low-d tiles sum e (y - x) directly.
    if (p.kernel != KGEN_KERNEL_GAUSSIAN) return false;
    return p.d <= kMaxLowD ? p.n < (int64_t(1) << 30) : !gradient;
}

void fast_reduce(ThreadPool& pool, int isa, SgemmFunction sgemm, const Reduction& p, const Epilogue& out) {
    const SumsWanted wanted{out.mean != nullptr, out.score || out.euler.x || out.gradient};
    run_blocks(pool, isa, sgemm, p, wanted, out.gradient != nullptr,
               [&](const RowSums& row, int64_t i) { write_row<GaussianKernel>(row, p, i, out); });
}

void fast_reduce_partial(ThreadPool& pool, int isa, SgemmFunction sgemm, const Reduction& p, const Partial& out) {
    run_blocks(pool, isa, sgemm, p, SumsWanted{true, out.gradient_sum != nullptr}, out.gradient_sum != nullptr,
               [&](const RowSums& row, int64_t i) { write_partial_row(row, i, p.d, out); });
}

}  // namespace kgen
