// The low-d kernel-sum reduction (d <= 32): one thread per query, the query and its sums in
// registers, data tiles in shared memory, an online log-sum-exp in base 2 over one split of the
// data. Distances are (x - y)^2 directly, never the |x|^2 + |y|^2 - 2 x.y form, which cancels
// for near pairs. Instantiated once per kernel family and padded dimension (2, 4, 8, 16, 32).
#include "../common/kernels.h"
#include "../common/log_sum_exp.h"
#include "kernel_sums.cuh"
#include "tiles.cuh"

namespace kgen {
namespace {

template <typename K, int DMax>
__global__ void __launch_bounds__(kLowDQueries)
low_d_reduction_kernel(Reduction p, SplitStates states, int64_t rows_per_split) {
    __shared__ float tile[kLowDTileRows][DMax];  // a warp reads one row at a time: a broadcast
    __shared__ float tile_log2_weight[kLowDTileRows];
    const int64_t i = (int64_t)blockIdx.x * kLowDQueries + threadIdx.x;
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
    for (int64_t t0 = j_begin; t0 < j_end; t0 += kLowDTileRows) {
        const int rows = (int)min_i64(kLowDTileRows, j_end - t0);
        __syncthreads();  // every thread is done with the previous tile
        stage_tile<DMax, kLowDQueries>(tile, p.data, p.d, t0, rows, 0, d);
        for (int r = threadIdx.x; r < kLowDTileRows; r += kLowDQueries) {
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

template <typename K>
void launch_for_dimension(const Reduction& p, const SplitStates& states, int64_t rows_per_split,
                          cudaStream_t stream) {
    const dim3 grid((unsigned)((p.m + kLowDQueries - 1) / kLowDQueries), (unsigned)states.count);
    if (p.d <= 2) {
        KGEN_LAUNCH(grid, kLowDQueries, 0, stream, low_d_reduction_kernel<K, 2>)(p, states, rows_per_split);
    } else if (p.d <= 4) {
        KGEN_LAUNCH(grid, kLowDQueries, 0, stream, low_d_reduction_kernel<K, 4>)(p, states, rows_per_split);
    } else if (p.d <= 8) {
        KGEN_LAUNCH(grid, kLowDQueries, 0, stream, low_d_reduction_kernel<K, 8>)(p, states, rows_per_split);
    } else if (p.d <= 16) {
        KGEN_LAUNCH(grid, kLowDQueries, 0, stream, low_d_reduction_kernel<K, 16>)(p, states, rows_per_split);
    } else {
        KGEN_LAUNCH(grid, kLowDQueries, 0, stream, low_d_reduction_kernel<K, kLowDMax>)(p, states, rows_per_split);
    }
}

}  // namespace

void launch_low_d_reduction(const Reduction& p, const SplitStates& states, int64_t rows_per_split,
                            cudaStream_t stream) {
    for_kernel(p.kernel, [&](auto kernel) {
        launch_for_dimension<decltype(kernel)>(p, states, rows_per_split, stream);
    });
    cuda_check_launch("kernel-sum reduction (low d)");
}

}  // namespace kgen
