// The CPU fast path for Gaussian kernel sums: float32 tiles, vectorized, one kernel set per
// instruction set (tiles_*.cpp, chosen at run time), float64 row sums. Low d (up to
// kMaxLowD) runs fused tiles of queries x data rows with direct differences; higher d runs
// GEMM-shaped blocks (x.y, then the exponentials, then P.Y). Each query's sums are formed by one
// thread in an order fixed by the problem alone, so the bits do not depend on the thread count.
#pragma once

#include <cstdint>

#include "../../backend.h"
#include "../thread_pool.h"
#include "blas.h"

namespace kgen {

// Whether the fast path computes this reduction (the Gaussian kernel, with the gradient output
// at low d only); the reference path takes the rest.
bool fast_sums_cover(const Reduction& problem, bool gradient);

// isa: the tiles' instruction set; sgemm: OpenBLAS's for the high-d blocks, or null for the
// hand-written ones.
void fast_reduce(ThreadPool& pool, int isa, SgemmFunction sgemm, const Reduction& problem, const Epilogue& out);
void fast_reduce_partial(ThreadPool& pool, int isa, SgemmFunction sgemm, const Reduction& problem, const Partial& out);

constexpr int64_t kMaxLowD = 32;
// Queries per block handed to a kernel (the parallel grain), fixed by the problem's shape alone.
constexpr int64_t kLowDQueries = 16;
constexpr int64_t kHighDQueries = 32;
constexpr int64_t kBlasRows = 256;  // sgemm: data rows per block

// How a call is cut into units of work: blocks of query_grain queries, times slices of
// slice_rows data rows (the last ones shorter), both from the problem's shape alone.
struct BlockSplit {
    int64_t query_grain;
    int64_t slices;
    int64_t slice_rows;
};
// With sgemm: blocks of up to 128 queries, evened out (sgemm packs each block of data rows once per
// query block, so few queries per block make packing cost as much as the products); where that
// gives fewer than 4 blocks, the data is cut into slices as well (of 4 row blocks at least), so
// that a few threads still share the work; the slices' sums are merged in order. Not more: each
// slice drops weights against its own max, so slices of sparse weights keep some the whole row
// would drop.
BlockSplit blas_split(int64_t m, int64_t n, int64_t d);

// The data side of one call, staged once for every query block.
struct StagedData {
    const float* rows = nullptr;  // n x d, the caller's data
    int64_t n = 0;
    int64_t d = 0;
    // Low d: the data as padded_d columns of padded_n floats (zero padding) and one log weight
    // per padded row (-inf for a zero weight and for padding).
    int64_t padded_d = 0;
    int64_t padded_n = 0;
    const float* columns = nullptr;
    const float* log_weights = nullptr;
    // High d: rows may be the data moved to `center` (d values; null when not moved, and the
    // queries are moved alike), |y_j|^2 of those rows, the log weights in double (-inf for a
    // zero weight).
    const float* center = nullptr;
    const float* squared_norms = nullptr;
    const double* log_weights_f64 = nullptr;
    SgemmFunction sgemm = nullptr;  // high d: OpenBLAS's, or null for the hand-written blocks
};

// A block of consecutive queries and where their sums go (all relative to max_logit, in double):
// sum_exp[q], weighted[q * d + k] = sum_j e_j y_jk (of the rows as staged) and, at low d only,
// centered[q * d + k] = sum_j e_j (y_jk - x_qk). At low d either may be null (not summed); high
// d always sums weighted and never centered.
struct QueryBlock {
    const float* x = nullptr;        // count x d
    int64_t count = 0;
    int64_t rows_begin = 0;          // the data rows summed over: [rows_begin, rows_end)
    int64_t rows_end = 0;            // (high d; low d always takes every row)
    const double* scale = nullptr;   // count values c = 1 / (2 h^2)
    const int64_t* self = nullptr;   // count data rows to skip (leave-one-out), -1 for none
    double* max_logit = nullptr;
    double* sum_exp = nullptr;
    double* weighted = nullptr;
    double* centered = nullptr;
    unsigned char* scratch = nullptr;  // high d: TileKernels::high_d_scratch_bytes
};

// One instruction set's kernels.
struct TileKernels {
    void (*low_d)(const StagedData& data, const QueryBlock& queries);
    void (*high_d)(const StagedData& data, const QueryBlock& queries);
    // The bytes of QueryBlock::scratch high_d needs for `count` queries (64-byte aligned base).
    int64_t (*high_d_scratch_bytes)(int64_t count, int64_t d, bool blas);
    int lanes;  // floats per vector
};

TileKernels portable_tile_kernels();
TileKernels avx2_tile_kernels();
TileKernels avx512_tile_kernels();

}  // namespace kgen
