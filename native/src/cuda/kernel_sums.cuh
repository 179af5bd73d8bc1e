// What the kernel-sum files share (MATH.md section 1): the per-split states that the reduction
// kernels (kernel_sums_low_d.cu, kernel_sums_any_d.cu) write and the combine pass
// (kernel_sums_cuda.cu) merges, the block shapes the split planner needs, and the launchers.
//
// Inside the kernels logits are kept in base 2 (exp2, with log2(e) folded into the kernel's
// coefficients through Query's unit), and so are the split states' maxima: converting each one
// to natural log would round it by |max| 2^-24 (1e-3 at logits of 2e4) and tilt the merge
// between splits. The combine pass converts once, when a result or an ABI partial state (natural
// log, as the ABI defines it) leaves.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "cuda_common.h"

namespace kgen {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

// The per-split partial states of one query chunk: split s of query i at s * stride + i, its
// sums at (s * stride + i) * d; max_logit in base 2. gradient is null when no gradient sum is wanted.
struct SplitStates {
    float* max_logit;
    float* sum_exp;
    float* weighted;
    float* gradient;
    int count;
    int64_t stride;
};

// Low d: d <= kLowDMax, padded to D in {2, 4, 8, 16, 32}. kLowDThreads threads per block, each
// owning low_d_queries_per_thread(D) queries with their sums in registers, so that each data row
// read from shared memory serves several queries; data tiles of low_d_tile_rows(D) rows (more
// rows: fewer barriers and rescales; fewer: less shared memory for the tile's logits).
constexpr int kLowDMax = 32;
constexpr int kLowDThreads = 128;
constexpr int low_d_padded(int64_t d) { return d <= 2 ? 2 : d <= 4 ? 4 : d <= 8 ? 8 : d <= 16 ? 16 : 32; }
constexpr int low_d_queries_per_thread(int padded_d) { return padded_d <= 8 ? 2 : 1; }
constexpr int low_d_tile_rows(int) { return 16; }

// Any d: a half warp per query, coordinates in chunks, the sums in the split workspace.
constexpr int kAnyDQueries = 16;
constexpr int kAnyDTileRows = 64;

// Launch the reduction of `problem` into `states` (split s takes data rows
// [s rows_per_split, (s + 1) rows_per_split)); the kernel comes from problem.kernel.
void launch_low_d_reduction(const Reduction& problem, const SplitStates& states, int64_t rows_per_split,
                            cudaStream_t stream);
void launch_any_d_reduction(const Reduction& problem, const SplitStates& states, int64_t rows_per_split,
                            cudaStream_t stream);

// Blocks of the reduction kernel that serves `problem` one SM holds at once (the occupancy API).
int64_t low_d_resident_blocks(const Reduction& problem, bool gradient);
int64_t any_d_resident_blocks(const Reduction& problem);

__device__ __forceinline__ int64_t min_i64(int64_t a, int64_t b) { return a < b ? a : b; }

__device__ __forceinline__ float query_bandwidth(const Reduction& p, int64_t i) {
    return p.bandwidths ? p.bandwidths[i] : p.bandwidth;
}

}  // namespace kgen
