// The any-d kernel-sum reduction: 16 queries per block, a half warp per query. Squared distances
// accumulate over 32-wide coordinate chunks staged in shared memory; the weighted (and gradient)
// sums of the block live in the split workspace, each element owned by one thread for the whole
// kernel. Correct at every d; the fast tensor-core path for high d is to be a kernel of its own.
#include "../common/kernels.h"
#include "../common/log_sum_exp.h"
#include "kernel_sums.cuh"
#include "tiles.cuh"

namespace kgen {
namespace {

constexpr int kThreads = 256;
constexpr int kChunk = 32;                              // coordinates per staged chunk
constexpr int kLanesPerQuery = kThreads / kAnyDQueries;  // 16: a half warp
constexpr int kRowsPerLane = kAnyDTileRows / kLanesPerQuery;
static_assert(kLanesPerQuery == 16 && kRowsPerLane * kLanesPerQuery == kAnyDTileRows, "a half warp per query");

template <typename K>
__global__ void __launch_bounds__(kThreads)
any_d_reduction_kernel(Reduction p, SplitStates states, int64_t rows_per_split) {
    // Pitches of one more than a power of two: threads that read down a column hit distinct banks.
    __shared__ float xs[kAnyDQueries][kChunk + 1];
    __shared__ float ys[kAnyDTileRows][kChunk + 1];
    __shared__ float weight[kAnyDQueries][kAnyDTileRows + 1];          // e = exp2(a - max)
    __shared__ float gradient_scaled[kAnyDQueries][kAnyDTileRows + 1];  // e s
    __shared__ float gradient_shape[kAnyDQueries][kAnyDTileRows + 1];   // g(r2, r)
    __shared__ float factor[kAnyDQueries];                              // this tile's rescale

    const int tid = threadIdx.x;
    const int q = tid / kLanesPerQuery;
    const int lane = tid % kLanesPerQuery;
    const int64_t q0 = (int64_t)blockIdx.x * kAnyDQueries;
    const int64_t i = q0 + q;
    const bool active = i < p.m;
    const int64_t d = p.d;
    const int queries_here = (int)min_i64(kAnyDQueries, p.m - q0);
    const int64_t j_begin = (int64_t)blockIdx.y * rows_per_split;
    const int64_t j_end = min_i64(p.n, j_begin + rows_per_split);
    const bool gradient = states.gradient != nullptr;
    const typename K::template Query<float> query(active ? query_bandwidth(p, i) : 1.0f, d, kLog2e);
    const float gradient_scale = query.gradient_scale();
    // Leave-one-out skips data row j == self; a negative self matches no row.
    const int64_t self = (p.leave_one_out && active) ? i + p.self_offset : -1;

    // Element idx of the block's sums is owned by thread idx % kThreads: no other thread touches it.
    const int64_t first = (int64_t)blockIdx.y * states.stride + q0;
    float* sums = states.weighted + first * d;
    float* gradient_sums = gradient ? states.gradient + first * d : nullptr;
    const int64_t owned = (int64_t)queries_here * d;
    for (int64_t idx = tid; idx < owned; idx += kThreads) {
        sums[idx] = 0.0f;
        if (gradient) gradient_sums[idx] = 0.0f;
    }

    float max_log2 = -INFINITY, sum = 0.0f;  // the same in all 16 lanes of query q
    // Every loop bound here is the same for the whole block, so each thread reaches every barrier.
    for (int64_t t0 = j_begin; t0 < j_end; t0 += kAnyDTileRows) {
        const int rows = (int)min_i64(kAnyDTileRows, j_end - t0);
        float r2[kRowsPerLane] = {};
        for (int64_t k0 = 0; k0 < d; k0 += kChunk) {
            const int width = (int)min_i64(kChunk, d - k0);
            __syncthreads();  // the previous chunk, and the previous tile's weights, are consumed
            stage_tile<kChunk, kThreads>(xs, p.queries, d, q0, queries_here, k0, width);
            stage_tile<kChunk, kThreads>(ys, p.data, d, t0, rows, k0, width);
            __syncthreads();
#pragma unroll
            for (int u = 0; u < kRowsPerLane; ++u) {
                const int r = lane + kLanesPerQuery * u;
#pragma unroll 8
                for (int k = 0; k < kChunk; ++k) {
                    const float diff = xs[q][k] - ys[r][k];
                    r2[u] = fmaf(diff, diff, r2[u]);
                }
            }
        }

        float a[kRowsPerLane], dist[kRowsPerLane];
        float tile_max = -INFINITY;
#pragma unroll
        for (int u = 0; u < kRowsPerLane; ++u) {
            const int r = lane + kLanesPerQuery * u;
            const float log2_weight = (active && r < rows && t0 + r != self)
                                          ? log_weight<float>(p.weights, t0 + r, p.uniform_log_weight) * kLog2e
                                          : -INFINITY;
            dist[u] = K::kNeedsDistance ? sqrtf(r2[u]) : 0.0f;
            // pair_logit: r = 0 contributes log k = 0 exactly, not 0 * c, which is NaN if c overflowed.
            a[u] = log2_weight == -INFINITY ? -INFINITY : pair_logit(query, log2_weight, r2[u], dist[u]);
            tile_max = fmaxf(tile_max, a[u]);
        }
        for (int offset = kLanesPerQuery / 2; offset > 0; offset /= 2) {
            tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, offset));
        }
        const float new_max = fmaxf(max_log2, tile_max);
        const float f = max_log2 == -INFINITY ? 0.0f : exp2f(max_log2 - new_max);
        float tile_sum = 0.0f;
#pragma unroll
        for (int u = 0; u < kRowsPerLane; ++u) {
            const int r = lane + kLanesPerQuery * u;
            // A logit that underflowed adds nothing, and exp2(a - max) would be NaN at max = -inf.
            const float e = a[u] == -INFINITY ? 0.0f : exp2f(a[u] - new_max);
            weight[q][r] = e;
            if (gradient) {
                // (e s) ((y - x) g): s g alone may overflow where this cannot (common/kernels.h).
                gradient_scaled[q][r] = e * gradient_scale;
                gradient_shape[q][r] = query.gradient_shape(r2[u], dist[u]);
            }
            tile_sum += e;
        }
        for (int offset = kLanesPerQuery / 2; offset > 0; offset /= 2) {
            tile_sum += __shfl_xor_sync(0xffffffffu, tile_sum, offset);
        }
        sum = sum * f + tile_sum;
        max_log2 = new_max;
        if (lane == 0) factor[q] = f;
        __syncthreads();  // weights and factors are visible

        for (int64_t idx = tid; idx < owned; idx += kThreads) {
            const int qq = (int)(idx / d);
            const int64_t k = idx % d;
            const float* y = p.data + t0 * d + k;
            // Two-level sums: the tile's own, then into the split's, so that a long split adds
            // a few thousand tile sums rather than a million single terms to one float.
            float acc = 0.0f;
            if (gradient) {
                const float xk = p.queries[(q0 + qq) * d + k];
                float gacc = 0.0f;
                for (int r = 0; r < rows; ++r) {
                    const float w = weight[qq][r];
                    if (w == 0.0f) continue;  // skipped rows are not read, as on the CPU
                    const float yk = y[r * d];
                    acc = fmaf(w, yk, acc);
                    gacc = fmaf(gradient_scaled[qq][r], (yk - xk) * gradient_shape[qq][r], gacc);
                }
                gradient_sums[idx] = fmaf(gradient_sums[idx], factor[qq], gacc);
            } else {
                for (int r = 0; r < rows; ++r) {
                    const float w = weight[qq][r];
                    if (w != 0.0f) acc = fmaf(w, y[r * d], acc);
                }
            }
            sums[idx] = fmaf(sums[idx], factor[qq], acc);
        }
    }
    if (active && lane == 0) {
        states.max_logit[first + q] = max_log2;  // base 2; -inf (no pair in this split) stays -inf
        states.sum_exp[first + q] = sum;
    }
}

}  // namespace

int64_t any_d_resident_blocks(const Reduction& p) {
    return for_kernel(p.kernel, [](auto kernel) {
        return resident_blocks(any_d_reduction_kernel<decltype(kernel)>, kThreads);
    });
}

void launch_any_d_reduction(const Reduction& p, const SplitStates& states, int64_t rows_per_split,
                            cudaStream_t stream) {
    const dim3 grid((unsigned)((p.m + kAnyDQueries - 1) / kAnyDQueries), (unsigned)states.count);
    for_kernel(p.kernel, [&](auto kernel) {
        KGEN_LAUNCH(grid, kThreads, 0, stream, any_d_reduction_kernel<decltype(kernel)>)(p, states, rows_per_split);
    });
    cuda_check_launch("kernel-sum reduction (any d)");
}

}  // namespace kgen
