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

// Low d: a thread per query, d <= kLowDMax, the query and its sums in registers.
constexpr int kLowDMax = 32;
constexpr int kLowDQueries = 128;   // queries (threads) per block
constexpr int kLowDTileRows = 128;  // data rows per shared-memory tile

// Any d: a half warp per query, coordinates in chunks, the sums in the split workspace.
constexpr int kAnyDQueries = 16;
constexpr int kAnyDTileRows = 64;

// Launch the reduction of `problem` into `states` (split s takes data rows
// [s rows_per_split, (s + 1) rows_per_split)); the kernel comes from problem.kernel.
void launch_low_d_reduction(const Reduction& problem, const SplitStates& states, int64_t rows_per_split,
                            cudaStream_t stream);
void launch_any_d_reduction(const Reduction& problem, const SplitStates& states, int64_t rows_per_split,
                            cudaStream_t stream);

__device__ __forceinline__ int64_t min_i64(int64_t a, int64_t b) { return a < b ? a : b; }

__device__ __forceinline__ float query_bandwidth(const Reduction& p, int64_t i) {
    return p.bandwidths ? p.bandwidths[i] : p.bandwidth;
}

}  // namespace kgen
