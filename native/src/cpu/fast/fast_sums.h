// The CPU fast path for Gaussian kernel sums: float32 tiles, vectorized, one kernel set per
// instruction set (tiles_*.cpp, chosen at run time), float64 row sums. Low d (up to
// kMaxLowD) runs fused tiles of queries x data rows with direct differences; higher d runs
// GEMM-shaped blocks (x.y, then the exponentials, then P.Y). Each query's sums are formed by one
// thread in an order fixed by the problem alone, so the bits do not depend on the thread count.
#pragma once

#include <cstdint>

#include "../../backend.h"
#include "../thread_pool.h"

namespace kgen {

// Whether the fast path computes this reduction (the Gaussian kernel, with the gradient output
// at low d only); the reference path takes the rest.
bool fast_sums_cover(const Reduction& problem, bool gradient);

void fast_reduce(ThreadPool& pool, int isa, const Reduction& problem, const Epilogue& out);
void fast_reduce_partial(ThreadPool& pool, int isa, const Reduction& problem, const Partial& out);

constexpr int64_t kMaxLowD = 32;
// Queries per block handed to a kernel (the parallel grain), fixed by the problem's shape alone.
constexpr int64_t kLowDQueries = 16;
constexpr int64_t kHighDQueries = 32;

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
};

// A block of consecutive queries and where their sums go (all relative to max_logit, in double):
// sum_exp[q], weighted[q * d + k] = sum_j e_j y_jk (of the rows as staged) and, at low d only,
// centered[q * d + k] = sum_j e_j (y_jk - x_qk). At low d either may be null (not summed); high
// d always sums weighted and never centered.
struct QueryBlock {
    const float* x = nullptr;        // count x d
    int64_t count = 0;
    const double* scale = nullptr;   // count values c = 1 / (2 h^2)
    const int64_t* self = nullptr;   // count data rows to skip (leave-one-out), -1 for none
    double* max_logit = nullptr;
    double* sum_exp = nullptr;
    double* weighted = nullptr;
    double* centered = nullptr;
};

// One instruction set's kernels.
struct TileKernels {
    void (*low_d)(const StagedData& data, const QueryBlock& queries);
    void (*high_d)(const StagedData& data, const QueryBlock& queries);
    int lanes;  // floats per vector
};

TileKernels portable_tile_kernels();
TileKernels avx2_tile_kernels();
TileKernels avx512_tile_kernels();

}  // namespace kgen
