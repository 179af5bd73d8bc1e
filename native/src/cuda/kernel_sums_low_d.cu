// The low-d kernel-sum reduction (d <= 32): an online log-sum-exp in base 2 over one split of the
// data. Each thread owns Q queries (their coordinates and sums in registers); the block stages a
// tile of T data rows (16-byte aligned, read as vectors: every thread reads the same row, a
// broadcast) and each thread then
//   1. computes its Q x T logits of the tile into its own column of a shared buffer (registers
//      would hold them only if every loop over the tile were unrolled, which costs more registers
//      than it saves), keeping each query's tile max;
//   2. rescales each query's sums once per tile, to the new max (not once per pair);
//   3. adds the tile's terms exp2(a - max), by the SFU's ex2.approx, into tile sums, which are
//      added to the split's sums once the tile is done (two-level sums: a split of a million rows
//      adds tens of thousands of tile sums to one float, not a million terms).
// There is no branch per pair: zero weights and the rows past a ragged tile's end have log
// weight -inf (their terms are exp2(-inf) = 0), leave-one-out is a select, and the gradient is a
// template parameter. Distances are (x - y)^2 directly, never |x|^2 + |y|^2 - 2 x.y, which cancels
// for near pairs. Instantiated per kernel family, padded dimension and gradient.
#include <type_traits>
#include <utility>

#include "../common/kernels.h"
#include "../common/log_sum_exp.h"
#include "fast_math.cuh"
#include "kernel_sums.cuh"
#include "tiles.cuh"

namespace kgen {
namespace {

// Coordinates read from shared memory at a time: one 128-bit load (64-bit at D = 2).
constexpr int vector_width(int padded_d) { return padded_d < 4 ? padded_d : 4; }

// Calls body(q, k, y) for each of a thread's Q queries and each coordinate k of a tile row,
// reading the row a vector at a time: each coordinate read serves all Q queries.
template <int Q, int D, typename Body>
__device__ __forceinline__ void for_row(const float* row, Body&& body) {
    constexpr int V = vector_width(D);
#pragma unroll
    for (int k0 = 0; k0 < D; k0 += V) {
        float y[V];
        load_shared_row(row + k0, y);
#pragma unroll
        for (int q = 0; q < Q; ++q) {
#pragma unroll
            for (int k = 0; k < V; ++k) body(q, k0 + k, y[k]);
        }
    }
}

// The prepared kernels of a thread's Q queries, first + q kLowDThreads (a query past m gets
// bandwidth 1: it is computed and never stored).
template <typename Query, int Q>
struct QueryBlock {
    Query at[Q];
    __device__ QueryBlock(const Reduction& p, int64_t first) : QueryBlock(p, first, std::make_integer_sequence<int, Q>{}) {}
    template <int... q>
    __device__ QueryBlock(const Reduction& p, int64_t first, std::integer_sequence<int, q...>)
        : at{Query(first + (int64_t)q * kLowDThreads < p.m ? query_bandwidth(p, first + (int64_t)q * kLowDThreads) : 1.0f,
                   p.d, kLog2e)...} {}
};

template <typename K, int D, bool Gradient>
__global__ void __launch_bounds__(kLowDThreads)
low_d_reduction_kernel(Reduction p, SplitStates states, int64_t rows_per_split) {
    constexpr int Q = low_d_queries_per_thread(D), T = low_d_tile_rows(D);
    constexpr int G = Gradient ? D : 1;   // gradient sums: none without the gradient
    constexpr int GT = Gradient ? T : 1;  // per-pair gradient shapes, likewise
    __shared__ __align__(16) float tile[T][D];
    __shared__ __align__(16) float tile_log2_weight[T];  // -inf for a zero weight or past the end
    // Each thread's logits and gradient shapes of the tile, in its own column (no bank conflict).
    __shared__ float logits[T][Q][kLowDThreads];
    __shared__ float shapes[GT][Q][Gradient ? kLowDThreads : 1];

    const int d = (int)p.d;
    const int64_t j_begin = (int64_t)blockIdx.y * rows_per_split;
    const int64_t j_end = min_i64(p.n, j_begin + rows_per_split);
    // Thread t owns queries first + t + q kLowDThreads: loads and stores stay coalesced.
    const int64_t first = (int64_t)blockIdx.x * kLowDThreads * Q + threadIdx.x;

    using Query = typename K::template Query<float>;
    float x[Q][D];
    float scale[Q];     // the query's gradient scale s
    int64_t self[Q];    // leave-one-out: the data row to skip; -1 matches none
    float max_log2[Q];  // the running max logit, base 2
    float sum[Q], v[Q][D], g[Q][G];
    const QueryBlock<Query, Q> query(p, first);
#pragma unroll
    for (int q = 0; q < Q; ++q) {
        const int64_t i = first + (int64_t)q * kLowDThreads;
        const bool active = i < p.m;
        scale[q] = query.at[q].gradient_scale();
        self[q] = (p.leave_one_out && active) ? i + p.self_offset : -1;
        max_log2[q] = -INFINITY;
        sum[q] = 0.0f;
        // Coordinates k >= d are 0 in the query and in every tile row: they add 0 to every sum.
#pragma unroll
        for (int k = 0; k < D; ++k) {
            x[q][k] = (active && k < d) ? p.queries[i * d + k] : 0.0f;
            v[q][k] = 0.0f;
        }
#pragma unroll
        for (int k = 0; k < G; ++k) g[q][k] = 0.0f;
    }

    // The tile loop is the same for every thread of the block, so each one reaches every barrier.
    for (int64_t t0 = j_begin; t0 < j_end; t0 += T) {
        const int rows = (int)min_i64(T, j_end - t0);
        __syncthreads();  // every thread is done with the previous tile
        stage_tile<D, kLowDThreads>(tile, p.data, p.d, t0, rows, 0, d);
        for (int r = threadIdx.x; r < T; r += kLowDThreads) {
            tile_log2_weight[r] =
                r < rows ? log_weight<float>(p.weights, t0 + r, p.uniform_log_weight) * kLog2e : -INFINITY;
        }
        __syncthreads();

        // 1. The tile's logits (and gradient shapes), a data row at a time for all Q queries.
        float tile_max[Q];
        int skip[Q];  // the tile row leave-one-out drops, or -1
#pragma unroll
        for (int q = 0; q < Q; ++q) {
            const int64_t at = self[q] - t0;
            skip[q] = (at >= 0 && at < T) ? (int)at : -1;
            tile_max[q] = -INFINITY;
        }
#pragma unroll 4
        for (int r = 0; r < T; ++r) {
            float r2[Q] = {};
            for_row<Q, D>(&tile[r][0], [&](int q, int k, float y) {
                const float diff = x[q][k] - y;
                r2[q] = fmaf(diff, diff, r2[q]);
            });
            const float log2_weight = tile_log2_weight[r];
#pragma unroll
            for (int q = 0; q < Q; ++q) {
                const float dist = K::kNeedsDistance ? sqrtf(r2[q]) : 0.0f;
                // pair_logit: r = 0 contributes log k = 0 exactly, not 0 * c (NaN if c overflowed).
                const float logit = r == skip[q] ? -INFINITY : pair_logit(query.at[q], log2_weight, r2[q], dist);
                logits[r][q][threadIdx.x] = logit;
                tile_max[q] = fmaxf(tile_max[q], logit);
                if constexpr (Gradient) shapes[r][q][threadIdx.x] = query.at[q].gradient_shape(r2[q], dist);
            }
        }

        // 2. One rescale per query and tile. While no pair has counted (max -inf), the reference
        // is 0, so that exp2(-inf - reference) = 0 rather than NaN.
        float reference[Q], factor[Q];
#pragma unroll
        for (int q = 0; q < Q; ++q) {
            const float new_max = fmaxf(max_log2[q], tile_max[q]);
            reference[q] = new_max == -INFINITY ? 0.0f : new_max;
            factor[q] = ex2_approx(max_log2[q] - reference[q]);  // 0 while max_log2 is -inf
            max_log2[q] = new_max;
        }

        // 3. The tile's terms into tile sums, then into the split's sums. Each thread reads back
        // only its own column of the buffers: no barrier.
        float tile_sum[Q] = {}, tv[Q][D] = {}, tg[Q][G] = {};
#pragma unroll 4
        for (int r = 0; r < T; ++r) {
            float e[Q];
#pragma unroll
            for (int q = 0; q < Q; ++q) {
                e[q] = ex2_approx(logits[r][q][threadIdx.x] - reference[q]);
                tile_sum[q] += e[q];
            }
            for_row<Q, D>(&tile[r][0], [&](int q, int k, float y) {
                tv[q][k] = fmaf(e[q], y, tv[q][k]);
                if constexpr (Gradient) {
                    // (e s) ((y - x) g): s g alone may overflow where this cannot (common/kernels.h).
                    tg[q][k] = fmaf(e[q] * scale[q], (y - x[q][k]) * shapes[r][q][threadIdx.x], tg[q][k]);
                }
            });
        }
#pragma unroll
        for (int q = 0; q < Q; ++q) {
            sum[q] = fmaf(sum[q], factor[q], tile_sum[q]);
#pragma unroll
            for (int k = 0; k < D; ++k) v[q][k] = fmaf(v[q][k], factor[q], tv[q][k]);
#pragma unroll
            for (int k = 0; k < G; ++k) g[q][k] = fmaf(g[q][k], factor[q], tg[q][k]);
        }
    }

#pragma unroll
    for (int q = 0; q < Q; ++q) {
        const int64_t i = first + (int64_t)q * kLowDThreads;
        if (i >= p.m) continue;
        const int64_t at = (int64_t)blockIdx.y * states.stride + i;
        states.max_logit[at] = max_log2[q];  // base 2; -inf (no pair in this split) stays -inf
        states.sum_exp[at] = sum[q];
#pragma unroll
        for (int k = 0; k < D; ++k) {
            if (k < d) {
                states.weighted[at * d + k] = v[q][k];
                if constexpr (Gradient) states.gradient[at * d + k] = g[q][k];
            }
        }
    }
}

// Calls use(kernel) with the instantiation that serves p: its kernel family, padded dimension
// and whether a gradient sum is wanted.
template <typename Use>
void with_low_d_kernel(const Reduction& p, bool gradient, Use&& use) {
    for_kernel(p.kernel, [&](auto kernel) {
        using K = decltype(kernel);
        const auto pick = [&](auto with_gradient) {
            constexpr bool G = decltype(with_gradient)::value;
            switch (low_d_padded(p.d)) {
                case 2: use(low_d_reduction_kernel<K, 2, G>); break;
                case 4: use(low_d_reduction_kernel<K, 4, G>); break;
                case 8: use(low_d_reduction_kernel<K, 8, G>); break;
                case 16: use(low_d_reduction_kernel<K, 16, G>); break;
                default: use(low_d_reduction_kernel<K, kLowDMax, G>); break;
            }
        };
        if (gradient) pick(std::true_type{});
        else pick(std::false_type{});
    });
}

}  // namespace

int64_t low_d_resident_blocks(const Reduction& p, bool gradient) {
    int64_t blocks = 1;
    with_low_d_kernel(p, gradient, [&](auto kernel) { blocks = resident_blocks(kernel, kLowDThreads); });
    return blocks;
}

void launch_low_d_reduction(const Reduction& p, const SplitStates& states, int64_t rows_per_split,
                            cudaStream_t stream) {
    const int64_t per_block = (int64_t)kLowDThreads * low_d_queries_per_thread(low_d_padded(p.d));
    const dim3 grid((unsigned)((p.m + per_block - 1) / per_block), (unsigned)states.count);
    with_low_d_kernel(p, states.gradient != nullptr, [&](auto kernel) {
        KGEN_LAUNCH(grid, kLowDThreads, 0, stream, kernel)(p, states, rows_per_split);
    });
    cuda_check_launch("kernel-sum reduction (low d)");
}

}  // namespace kgen
