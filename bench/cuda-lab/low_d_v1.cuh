// Low-d kernel sums, version 1: the kernel kgen shipped before the rewrite in
// native/src/cuda/kernel_sums_low_d.cu, kept here so the lab can time the two side by side. A
// thread per query, 128 queries per block, tiles of 128 rows read one float at a time, and per
// pair: a branch on the weight and on leave-one-out, a branch on an underflowed logit, a branch
// and a rescale of every sum whenever the running max grows, and exp2f.
#pragma once

#include "common/kernels.h"
#include "common/log_sum_exp.h"
#include "cuda/kernel_sums.cuh"
#include "cuda/tiles.cuh"

namespace kgen {
namespace lab_v1 {

constexpr int kQueries = 128;   // queries (threads) per block
constexpr int kTileRows = 128;  // data rows per shared-memory tile

template <typename K, int DMax>
__global__ void __launch_bounds__(kQueries)
low_d_v1_kernel(Reduction p, SplitStates states, int64_t rows_per_split) {
    __shared__ float tile[kTileRows][DMax];  // a warp reads one row at a time: a broadcast
    __shared__ float tile_log2_weight[kTileRows];
    const int64_t i = (int64_t)blockIdx.x * kQueries + threadIdx.x;
    const bool active = i < p.m;
    const int d = (int)p.d;
    const int64_t j_begin = (int64_t)blockIdx.y * rows_per_split;
    const int64_t j_end = min_i64(p.n, j_begin + rows_per_split);
    const bool gradient = states.gradient != nullptr;
    const typename K::template Query<float> q(active ? query_bandwidth(p, i) : 1.0f, p.d, kLog2e);
    const float gradient_scale = q.gradient_scale();
    // Leave-one-out skips data row j == self; a negative self matches no row.
    const int64_t self = (p.leave_one_out && active) ? i + p.self_offset : -1;

    // Coordinates k >= d are 0 in the query and in every tile row: they add 0 to every sum.
    float x[DMax], v[DMax], g[DMax];
#pragma unroll
    for (int k = 0; k < DMax; ++k) {
        x[k] = (active && k < d) ? p.queries[i * d + k] : 0.0f;
        v[k] = 0.0f;
        g[k] = 0.0f;
    }
    // Two-level sums: each tile's terms go into tile sums (t*), added to the split's sums (v, g,
    // sum) when the tile ends, so that a split of a million rows adds a few thousand tile sums to
    // one float rather than a million terms. Both levels are relative to the same running max.
    float max_log2 = -INFINITY;  // the running max logit, base 2
    float sum = 0.0f, tile_sum = 0.0f;  // sums of exp2(a - max_log2)
    float tv[DMax], tg[DMax];

    // The tile loop is the same for every thread of the block, so each one reaches every barrier.
    for (int64_t t0 = j_begin; t0 < j_end; t0 += kTileRows) {
        const int rows = (int)min_i64(kTileRows, j_end - t0);
        __syncthreads();  // every thread is done with the previous tile
        stage_tile<DMax, kQueries>(tile, p.data, p.d, t0, rows, 0, d);
        for (int r = threadIdx.x; r < kTileRows; r += kQueries) {
            tile_log2_weight[r] =
                r < rows ? log_weight<float>(p.weights, t0 + r, p.uniform_log_weight) * kLog2e : -INFINITY;
        }
        __syncthreads();
        if (!active) continue;
        tile_sum = 0.0f;
#pragma unroll
        for (int k = 0; k < DMax; ++k) {
            tv[k] = 0.0f;
            tg[k] = 0.0f;
        }
        for (int r = 0; r < rows; ++r) {
            const float log2_weight = tile_log2_weight[r];
            if (log2_weight == -INFINITY || t0 + r == self) continue;
            float r2 = 0.0f;
#pragma unroll
            for (int k = 0; k < DMax; ++k) {
                const float diff = x[k] - tile[r][k];
                r2 = fmaf(diff, diff, r2);
            }
            const float dist = K::kNeedsDistance ? sqrtf(r2) : 0.0f;
            // pair_logit: r = 0 contributes log k = 0 exactly, not 0 * c, which is NaN if c overflowed.
            const float a = pair_logit(q, log2_weight, r2, dist);
            // A logit that underflowed adds nothing, and exp2(a - max) would be NaN at max = -inf.
            if (a == -INFINITY) continue;
            if (a > max_log2) {
                const float f = exp2f(max_log2 - a);  // 0 while max_log2 is -inf
                sum *= f;
                tile_sum *= f;
#pragma unroll
                for (int k = 0; k < DMax; ++k) {
                    v[k] *= f;
                    tv[k] *= f;
                    if (gradient) {
                        g[k] *= f;
                        tg[k] *= f;
                    }
                }
                max_log2 = a;
            }
            const float e = exp2f(a - max_log2);
            tile_sum += e;
#pragma unroll
            for (int k = 0; k < DMax; ++k) tv[k] = fmaf(e, tile[r][k], tv[k]);
            if (gradient) {
                // (e s) ((y - x) g): s g alone may overflow where this cannot (common/kernels.h).
                const float scaled = e * gradient_scale;
                const float shape = q.gradient_shape(r2, dist);
#pragma unroll
                for (int k = 0; k < DMax; ++k) tg[k] = fmaf(scaled, (tile[r][k] - x[k]) * shape, tg[k]);
            }
        }
        sum += tile_sum;
#pragma unroll
        for (int k = 0; k < DMax; ++k) {
            v[k] += tv[k];
            if (gradient) g[k] += tg[k];
        }
    }
    if (!active) return;
    const int64_t at = (int64_t)blockIdx.y * states.stride + i;
    states.max_logit[at] = max_log2;  // base 2; -inf (no pair in this split) stays -inf
    states.sum_exp[at] = sum;
#pragma unroll
    for (int k = 0; k < DMax; ++k) {
        if (k < d) {
            states.weighted[at * d + k] = v[k];
            if (gradient) states.gradient[at * d + k] = g[k];
        }
    }
}

// Calls use(kernel) with the instantiation that serves p.
template <typename Use>
void with_kernel(const Reduction& p, Use&& use) {
    for_kernel(p.kernel, [&](auto kernel) {
        using K = decltype(kernel);
        if (p.d <= 2) use(low_d_v1_kernel<K, 2>);
        else if (p.d <= 4) use(low_d_v1_kernel<K, 4>);
        else if (p.d <= 8) use(low_d_v1_kernel<K, 8>);
        else if (p.d <= 16) use(low_d_v1_kernel<K, 16>);
        else use(low_d_v1_kernel<K, 32>);
    });
}

inline int64_t resident_blocks_v1(const Reduction& p) {
    int64_t blocks = 1;
    with_kernel(p, [&](auto kernel) { blocks = resident_blocks(kernel, kQueries); });
    return blocks;
}

inline void launch_v1(const Reduction& p, const SplitStates& states, int64_t rows_per_split, cudaStream_t stream) {
    const dim3 grid((unsigned)((p.m + kQueries - 1) / kQueries), (unsigned)states.count);
    with_kernel(p, [&](auto kernel) { KGEN_LAUNCH(grid, kQueries, 0, stream, kernel)(p, states, rows_per_split); });
    cuda_check_launch("low-d v1");
}

}  // namespace lab_v1
}  // namespace kgen
