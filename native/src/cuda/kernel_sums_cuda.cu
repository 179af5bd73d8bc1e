// CUDA kernel-sum reductions (MATH.md section 1): fused tiled passes with an online
// log-sum-exp, the data split across blocks when the queries alone cannot fill the GPU, and a
// combine pass that merges the per-split (max, sum, weighted sum) states. The m x n matrix of
// logits is never stored.
//
// Two reduction kernels:
// - low d (d <= 32): one thread per query, the query and its sums in registers, data tiles in
//   shared memory. Distances are (x - y)^2 directly, never the |x|^2 + |y|^2 - 2 x.y form.
// - any d: 16 queries per block, distances accumulated over 32-wide coordinate chunks in shared
//   memory, sums kept in the workspace by their owning thread. Correct at every d; the fast
//   tensor-core path for high d is a separate kernel family.
// Logits are kept in base 2 (exp2 with log2(e) folded into the bandwidth coefficient); states
// leave the kernels in natural log, as the ABI defines them.
// Known float32 limit: a Laplace pair closer than about 1e-19 (r^2 underflows) counts as r = 0
// and adds nothing to the gradient, where the CPU's float64 still sees its direction.
#include <cuda_runtime.h>

#include <algorithm>

#include "../common/epilogue.h"
#include "../common/philox.h"
#include "cuda_common.h"

namespace kgen {
namespace {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;
constexpr int kMaxSplits = 64;
constexpr size_t kWorkspaceBytes = size_t(256) << 20;

// Per-split partial states of one query chunk: split k of query i at k * stride + i.
struct SplitStates {
    float* max_logit;
    float* sum_exp;
    float* weighted;
    float* laplace;  // null when no Laplace sum is wanted
    int count;
    int64_t stride;
};

__device__ __forceinline__ int64_t min_i64(int64_t a, int64_t b) { return a < b ? a : b; }

__device__ __forceinline__ float query_bandwidth(const Reduction& p, int64_t i) {
    return p.bandwidths ? p.bandwidths[i] : p.bandwidth;
}

__device__ __forceinline__ float to_natural_log(float log2_value) {
    return log2_value == -INFINITY ? -INFINITY : log2_value * kLn2;
}

// ---- low d: a thread per query --------------------------------------------------------------

constexpr int kLowThreads = 128;
constexpr int kLowTile = 128;

template <int Kernel, int DMax>
__global__ void __launch_bounds__(kLowThreads)
low_d_partial_kernel(Reduction p, SplitStates states, int64_t rows_per_split, bool want_laplace) {
    __shared__ float tile[kLowTile][DMax];
    __shared__ float tile_log2_weight[kLowTile];
    const int64_t i = (int64_t)blockIdx.x * kLowThreads + threadIdx.x;
    const bool active = i < p.m;
    const int d = (int)p.d;
    const int64_t j_begin = (int64_t)blockIdx.y * rows_per_split;
    const int64_t j_end = min_i64(p.n, j_begin + rows_per_split);
    const bool laplace = Kernel == KGEN_KERNEL_LAPLACE && want_laplace;

    float x[DMax], v[DMax], g[DMax];
#pragma unroll
    for (int k = 0; k < DMax; ++k) {
        x[k] = (active && k < d) ? p.queries[i * d + k] : 0.0f;
        v[k] = 0.0f;
        g[k] = 0.0f;
    }
    const float c = logit_coefficient<float>(Kernel, active ? query_bandwidth(p, i) : 1.0f);
    const float c2 = c * kLog2e;
    const int64_t self = (p.leave_one_out && active) ? i + p.self_offset : -1;
    float max2 = -INFINITY, sum = 0.0f;

    for (int64_t t0 = j_begin; t0 < j_end; t0 += kLowTile) {
        const int rows = (int)min_i64(kLowTile, j_end - t0);
        __syncthreads();  // the previous tile is consumed
        for (int idx = threadIdx.x; idx < kLowTile * DMax; idx += kLowThreads) {
            int r = idx / DMax, k = idx % DMax;
            tile[r][k] = (r < rows && k < d) ? p.data[(t0 + r) * d + k] : 0.0f;
        }
        for (int r = threadIdx.x; r < kLowTile; r += kLowThreads) {
            tile_log2_weight[r] =
                r < rows ? log_weight<float>(p.weights, t0 + r, p.uniform_log_weight) * kLog2e
                         : -INFINITY;
        }
        __syncthreads();
        if (!active) continue;
        for (int r = 0; r < rows; ++r) {
            const float lw2 = tile_log2_weight[r];
            if (lw2 == -INFINITY || t0 + r == self) continue;
            float r2 = 0.0f;
#pragma unroll
            for (int k = 0; k < DMax; ++k) {
                float diff = x[k] - tile[r][k];
                r2 = fmaf(diff, diff, r2);
            }
            const float dist = Kernel == KGEN_KERNEL_LAPLACE ? sqrtf(r2) : 0.0f;
            // r = 0 contributes log k = 0 exactly (not 0 * c, which is NaN if c overflowed).
            const float a = r2 == 0.0f ? lw2 : fmaf(Kernel == KGEN_KERNEL_GAUSSIAN ? -r2 : -dist, c2, lw2);
            if (a == -INFINITY) continue;  // a logit that underflowed: exp(a - max) would be NaN at max = -inf
            if (a > max2) {
                const float f = exp2f(max2 - a);  // 0 while max2 is -inf
                sum *= f;
#pragma unroll
                for (int k = 0; k < DMax; ++k) {
                    v[k] *= f;
                    if (laplace) g[k] *= f;
                }
                max2 = a;
            }
            const float e = exp2f(a - max2);
            sum += e;
#pragma unroll
            for (int k = 0; k < DMax; ++k) v[k] = fmaf(e, tile[r][k], v[k]);
            if constexpr (Kernel == KGEN_KERNEL_LAPLACE) {
                if (laplace && dist > 0.0f) {
                    const float w = e * c / dist;
#pragma unroll
                    for (int k = 0; k < DMax; ++k) g[k] = fmaf(w, tile[r][k] - x[k], g[k]);
                }
            }
        }
    }
    if (!active) return;
    const int64_t at = (int64_t)blockIdx.y * states.stride + i;
    states.max_logit[at] = to_natural_log(max2);
    states.sum_exp[at] = sum;
#pragma unroll
    for (int k = 0; k < DMax; ++k) {
        if (k < d) {
            states.weighted[at * d + k] = v[k];
            if (laplace) states.laplace[at * d + k] = g[k];
        }
    }
}

// ---- any d: 16 queries per block ------------------------------------------------------------

constexpr int kAnyThreads = 256;
constexpr int kAnyQueries = 16;
constexpr int kAnyRows = 64;
constexpr int kAnyChunk = 32;
constexpr int kLanesPerQuery = kAnyThreads / kAnyQueries;  // 16: a half warp
constexpr int kRowsPerLane = kAnyRows / kLanesPerQuery;    // 4

template <int Kernel>
__global__ void __launch_bounds__(kAnyThreads)
any_d_partial_kernel(Reduction p, SplitStates states, int64_t rows_per_split, bool want_laplace) {
    __shared__ float xs[kAnyQueries][kAnyChunk + 1];
    __shared__ float ys[kAnyRows][kAnyChunk + 1];
    __shared__ float weight[kAnyQueries][kAnyRows];          // exp(a - max)
    __shared__ float laplace_weight[kAnyQueries][kAnyRows];  // exp(a - max) c / r
    __shared__ float factor[kAnyQueries];

    const int tid = threadIdx.x;
    const int q = tid / kLanesPerQuery;
    const int lane = tid % kLanesPerQuery;
    const int64_t q0 = (int64_t)blockIdx.x * kAnyQueries;
    const int64_t i = q0 + q;
    const bool active = i < p.m;
    const int64_t d = p.d;
    const int queries_here = (int)min_i64(kAnyQueries, p.m - q0);
    const int64_t j_begin = (int64_t)blockIdx.y * rows_per_split;
    const int64_t j_end = min_i64(p.n, j_begin + rows_per_split);
    const bool laplace = Kernel == KGEN_KERNEL_LAPLACE && want_laplace;
    const float c = logit_coefficient<float>(Kernel, active ? query_bandwidth(p, i) : 1.0f);
    const float c2 = c * kLog2e;
    const int64_t self = (p.leave_one_out && active) ? i + p.self_offset : -1;

    // The block's weighted (and Laplace) sums live in the workspace; element idx is owned by
    // thread idx % kAnyThreads for the whole kernel, so no other thread ever touches it.
    const int64_t first = (int64_t)blockIdx.y * states.stride + q0;
    float* sums = states.weighted + first * d;
    float* laplace_sums = laplace ? states.laplace + first * d : nullptr;
    const int64_t owned = (int64_t)queries_here * d;
    for (int64_t idx = tid; idx < owned; idx += kAnyThreads) {
        sums[idx] = 0.0f;
        if (laplace) laplace_sums[idx] = 0.0f;
    }

    float max2 = -INFINITY, sum = 0.0f;  // the same in all 16 lanes of query q
    for (int64_t t0 = j_begin; t0 < j_end; t0 += kAnyRows) {
        const int rows = (int)min_i64(kAnyRows, j_end - t0);
        float r2[kRowsPerLane] = {};
        for (int64_t k0 = 0; k0 < d; k0 += kAnyChunk) {
            const int width = (int)min_i64(kAnyChunk, d - k0);
            __syncthreads();  // previous chunk and previous tile's weights are consumed
            for (int idx = tid; idx < kAnyQueries * kAnyChunk; idx += kAnyThreads) {
                int qq = idx / kAnyChunk, k = idx % kAnyChunk;
                xs[qq][k] = (qq < queries_here && k < width) ? p.queries[(q0 + qq) * d + k0 + k] : 0.0f;
            }
            for (int idx = tid; idx < kAnyRows * kAnyChunk; idx += kAnyThreads) {
                int r = idx / kAnyChunk, k = idx % kAnyChunk;
                ys[r][k] = (r < rows && k < width) ? p.data[(t0 + r) * d + k0 + k] : 0.0f;
            }
            __syncthreads();
#pragma unroll
            for (int u = 0; u < kRowsPerLane; ++u) {
                const int r = lane + kLanesPerQuery * u;
#pragma unroll 8
                for (int k = 0; k < kAnyChunk; ++k) {
                    float diff = xs[q][k] - ys[r][k];
                    r2[u] = fmaf(diff, diff, r2[u]);
                }
            }
        }

        float a[kRowsPerLane], dist[kRowsPerLane];
        float tile_max = -INFINITY;
#pragma unroll
        for (int u = 0; u < kRowsPerLane; ++u) {
            const int r = lane + kLanesPerQuery * u;
            const float lw2 = (active && r < rows && t0 + r != self)
                                  ? log_weight<float>(p.weights, t0 + r, p.uniform_log_weight) * kLog2e
                                  : -INFINITY;
            dist[u] = sqrtf(r2[u]);
            a[u] = lw2 == -INFINITY ? -INFINITY
                   : r2[u] == 0.0f  ? lw2
                                    : fmaf(Kernel == KGEN_KERNEL_GAUSSIAN ? -r2[u] : -dist[u], c2, lw2);
            tile_max = fmaxf(tile_max, a[u]);
        }
        for (int offset = kLanesPerQuery / 2; offset > 0; offset /= 2) {
            tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, offset));
        }
        const float new_max = fmaxf(max2, tile_max);
        const float f = max2 == -INFINITY ? 0.0f : exp2f(max2 - new_max);
        float tile_sum = 0.0f;
#pragma unroll
        for (int u = 0; u < kRowsPerLane; ++u) {
            const int r = lane + kLanesPerQuery * u;
            const float e = a[u] == -INFINITY ? 0.0f : exp2f(a[u] - new_max);
            weight[q][r] = e;
            if (laplace) laplace_weight[q][r] = dist[u] > 0.0f ? e * c / dist[u] : 0.0f;
            tile_sum += e;
        }
        for (int offset = kLanesPerQuery / 2; offset > 0; offset /= 2) {
            tile_sum += __shfl_xor_sync(0xffffffffu, tile_sum, offset);
        }
        sum = sum * f + tile_sum;
        max2 = new_max;
        if (lane == 0) factor[q] = f;
        __syncthreads();

        for (int64_t idx = tid; idx < owned; idx += kAnyThreads) {
            const int qq = (int)(idx / d);
            const int64_t k = idx % d;
            const float* y = p.data + t0 * d + k;
            float acc = sums[idx] * factor[qq];
            if (laplace) {
                const float xk = p.queries[(q0 + qq) * d + k];
                float lacc = laplace_sums[idx] * factor[qq];
                for (int r = 0; r < rows; ++r) {
                    const float w = weight[qq][r];
                    if (w == 0.0f) continue;  // skipped rows are not read, as on the CPU
                    const float yk = y[r * d];
                    acc = fmaf(w, yk, acc);
                    lacc = fmaf(laplace_weight[qq][r], yk - xk, lacc);
                }
                laplace_sums[idx] = lacc;
            } else {
                for (int r = 0; r < rows; ++r) {
                    const float w = weight[qq][r];
                    if (w != 0.0f) acc = fmaf(w, y[r * d], acc);
                }
            }
            sums[idx] = acc;
        }
    }
    if (active && lane == 0) {
        states.max_logit[first + q] = to_natural_log(max2);
        states.sum_exp[first + q] = sum;
    }
}

// ---- combining split states --------------------------------------------------------------

constexpr int kCombineWarps = 4;

// A warp per query: merges the splits of `states`, then writes either one partial state
// (`partial.max_logit` set) or the epilogue outputs.
__global__ void __launch_bounds__(kCombineWarps * 32)
combine_splits_kernel(SplitStates states, Reduction p, Epilogue out, Partial partial) {
    __shared__ float factors[kCombineWarps][kMaxSplits];
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int64_t i = (int64_t)blockIdx.x * kCombineWarps + warp;
    if (i >= p.m) return;
    const int64_t d = p.d;

    float merged_max = -INFINITY;
    for (int k = 0; k < states.count; ++k) {
        merged_max = fmaxf(merged_max, states.max_logit[k * states.stride + i]);
    }
    for (int k = lane; k < states.count; k += 32) {
        factors[warp][k] = rescale(states.max_logit[k * states.stride + i], merged_max);
    }
    __syncwarp();
    float sum = 0.0f;
    for (int k = 0; k < states.count; ++k) sum += states.sum_exp[k * states.stride + i] * factors[warp][k];

    const bool to_partial = partial.max_logit != nullptr;
    const bool laplace = states.laplace != nullptr;
    const float h = query_bandwidth(p, i);
    const float lse = merged_max + logf(sum);
    if (lane == 0) {
        if (to_partial) {
            partial.max_logit[i] = merged_max;
            partial.sum_exp[i] = sum;
        } else {
            if (out.lse) out.lse[i] = lse;
            if (out.log_density) out.log_density[i] = lse - gaussian_log_norm<float>(d, h);
        }
    }
    for (int64_t k = lane; k < d; k += 32) {
        float v = 0.0f, g = 0.0f;
        for (int s = 0; s < states.count; ++s) {
            const int64_t at = (s * states.stride + i) * d + k;
            v = fmaf(states.weighted[at], factors[warp][s], v);
            if (laplace) g = fmaf(states.laplace[at], factors[warp][s], g);
        }
        if (to_partial) {
            partial.weighted_sum[i * d + k] = v;
            if (partial.laplace_sum) partial.laplace_sum[i * d + k] = g;
        } else {
            const float mean = v / sum;
            if (out.mean) out.mean[i * d + k] = mean;
            if (out.score) out.score[i * d + k] = (mean - p.queries[i * d + k]) / (h * h);
            if (out.laplace_grad) out.laplace_grad[i * d + k] = g / sum;
            if (out.euler_step) {
                // The lane that read x[i, k] for the mean writes it: no other thread touches it.
                const float z = out.noise != 0.0f ? normal_element(out.seed, out.stream, out.noise_offset + (uint64_t)(i * d + k)) : 0.0f;
                float* x = const_cast<float*>(p.queries) + i * d + k;
                *x = *x + out.step * (mean - *x) / (h * h) + out.noise * z;
            }
        }
    }
}

// a <- merge(a, b): a warp per query; every lane reads the scalars before lane 0 rewrites them.
__global__ void __launch_bounds__(kCombineWarps * 32)
merge_partial_kernel(int64_t m, int64_t d, Partial a, Partial b) {
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int64_t i = (int64_t)blockIdx.x * kCombineWarps + warp;
    if (i >= m) return;
    const float ma = a.max_logit[i], mb = b.max_logit[i];
    const float sa = a.sum_exp[i], sb = b.sum_exp[i];
    const float merged = fmaxf(ma, mb);
    const float fa = rescale(ma, merged), fb = rescale(mb, merged);
    __syncwarp();
    for (int64_t k = lane; k < d; k += 32) {
        const int64_t at = i * d + k;
        a.weighted_sum[at] = a.weighted_sum[at] * fa + b.weighted_sum[at] * fb;
        if (a.laplace_sum) a.laplace_sum[at] = a.laplace_sum[at] * fa + b.laplace_sum[at] * fb;
    }
    if (lane == 0) {
        a.max_logit[i] = merged;
        a.sum_exp[i] = sa * fa + sb * fb;
    }
}

// ---- host side -------------------------------------------------------------------------------

template <int Kernel>
void launch_partial(const Reduction& p, const SplitStates& states, int64_t rows_per_split,
                    bool laplace, cudaStream_t stream) {
    const bool low_d = p.d <= 32;
    const int per_block = low_d ? kLowThreads : kAnyQueries;
    dim3 grid((unsigned)((p.m + per_block - 1) / per_block), (unsigned)states.count);
    if (!low_d) {
        any_d_partial_kernel<Kernel><<<grid, kAnyThreads, 0, stream>>>(p, states, rows_per_split, laplace);
    } else if (p.d <= 2) {
        low_d_partial_kernel<Kernel, 2><<<grid, kLowThreads, 0, stream>>>(p, states, rows_per_split, laplace);
    } else if (p.d <= 4) {
        low_d_partial_kernel<Kernel, 4><<<grid, kLowThreads, 0, stream>>>(p, states, rows_per_split, laplace);
    } else if (p.d <= 8) {
        low_d_partial_kernel<Kernel, 8><<<grid, kLowThreads, 0, stream>>>(p, states, rows_per_split, laplace);
    } else if (p.d <= 16) {
        low_d_partial_kernel<Kernel, 16><<<grid, kLowThreads, 0, stream>>>(p, states, rows_per_split, laplace);
    } else {
        low_d_partial_kernel<Kernel, 32><<<grid, kLowThreads, 0, stream>>>(p, states, rows_per_split, laplace);
    }
    cuda_check_launch("kernel-sum reduction");
}

// The split of the data: enough blocks to fill the GPU, each split at least two tiles.
struct SplitPlan {
    int splits;
    int64_t rows_per_split;
};

SplitPlan plan_splits(const CudaDevice& device, int64_t m, int64_t n, int64_t d) {
    const bool low_d = d <= 32;
    const int64_t per_block = low_d ? kLowThreads : kAnyQueries;
    const int64_t tile = low_d ? kLowTile : kAnyRows;
    const int64_t query_blocks = (m + per_block - 1) / per_block;
    const int64_t wanted_blocks = (int64_t)device.sm_count * (low_d ? 8 : 4);
    int64_t splits = (wanted_blocks + query_blocks - 1) / query_blocks;
    splits = std::min<int64_t>(splits, kMaxSplits);
    splits = std::min<int64_t>(splits, std::max<int64_t>(1, n / (2 * tile)));
    // Keep one block's worth of query states within the workspace (matters only at huge d).
    const int64_t per_block_floats = per_block * (2 + 2 * d);
    splits = std::min<int64_t>(splits, (int64_t)(kWorkspaceBytes / sizeof(float)) / per_block_floats);
    splits = std::max<int64_t>(splits, 1);
    int64_t rows = (n + splits - 1) / splits;
    rows = (rows + tile - 1) / tile * tile;
    return SplitPlan{(int)((n + rows - 1) / rows), rows};
}

// Runs the reduction in query chunks that keep the split workspace under kWorkspaceBytes, and
// writes either the epilogue outputs or one partial state.
void run_reduction(const CudaDevice& device, const Reduction& p, const Epilogue* final_out,
                   const Partial* partial_out) {
    cuda_check(cudaSetDevice(device.index), "cudaSetDevice");
    const bool laplace = final_out ? final_out->laplace_grad != nullptr
                                   : partial_out->laplace_sum != nullptr;
    const SplitPlan plan = plan_splits(device, p.m, p.n, p.d);
    const int64_t floats_per_state = 2 + p.d * (laplace ? 2 : 1);
    const int64_t bytes_per_query = (int64_t)plan.splits * floats_per_state * (int64_t)sizeof(float);
    const int64_t granule = p.d <= 32 ? kLowThreads : kAnyQueries;  // queries per block
    int64_t chunk = std::max<int64_t>(granule, (int64_t)kWorkspaceBytes / bytes_per_query / granule * granule);
    chunk = std::min(chunk, p.m);
    Scratch workspace(device, (size_t)(chunk * bytes_per_query));

    for (int64_t c0 = 0; c0 < p.m; c0 += chunk) {
        Reduction sub = p;
        sub.m = std::min(chunk, p.m - c0);
        sub.queries = p.queries + c0 * p.d;
        if (p.bandwidths) sub.bandwidths = p.bandwidths + c0;
        sub.self_offset = p.self_offset + c0;  // j == (local i + c0) + self_offset

        float* base = workspace.as<float>();
        const int64_t states = (int64_t)plan.splits * sub.m;
        SplitStates split_states{base, base + states, base + 2 * states,
                                 laplace ? base + 2 * states + states * p.d : nullptr,
                                 plan.splits, sub.m};
        if (p.kernel == KGEN_KERNEL_GAUSSIAN) {
            launch_partial<KGEN_KERNEL_GAUSSIAN>(sub, split_states, plan.rows_per_split, laplace, device.stream);
        } else {
            launch_partial<KGEN_KERNEL_LAPLACE>(sub, split_states, plan.rows_per_split, laplace, device.stream);
        }

        Epilogue out;
        Partial partial;
        if (final_out) {
            auto shift = [&](float* q, int64_t width) { return q ? q + c0 * width : nullptr; };
            out.lse = shift(final_out->lse, 1);
            out.log_density = shift(final_out->log_density, 1);
            out.mean = shift(final_out->mean, p.d);
            out.score = shift(final_out->score, p.d);
            out.laplace_grad = shift(final_out->laplace_grad, p.d);
            out.euler_step = final_out->euler_step;
            out.step = final_out->step;
            out.noise = final_out->noise;
            out.seed = final_out->seed;
            out.stream = final_out->stream;
            out.noise_offset = final_out->noise_offset + (uint64_t)(c0 * p.d);  // rows are chunk-local
        } else {
            partial.max_logit = partial_out->max_logit + c0;
            partial.sum_exp = partial_out->sum_exp + c0;
            partial.weighted_sum = partial_out->weighted_sum + c0 * p.d;
            partial.laplace_sum = partial_out->laplace_sum ? partial_out->laplace_sum + c0 * p.d : nullptr;
        }
        unsigned blocks = (unsigned)((sub.m + kCombineWarps - 1) / kCombineWarps);
        combine_splits_kernel<<<blocks, kCombineWarps * 32, 0, device.stream>>>(split_states, sub, out, partial);
        cuda_check_launch("combine split states");
    }
    cuda_check(cudaStreamSynchronize(device.stream), "kernel-sum reduction");
}

}  // namespace

void cuda_reduce(const CudaDevice& device, const Reduction& problem, const Epilogue& out) {
    run_reduction(device, problem, &out, nullptr);
}

void cuda_reduce_partial(const CudaDevice& device, const Reduction& problem, const Partial& out) {
    run_reduction(device, problem, nullptr, &out);
}

void cuda_merge_partial(const CudaDevice& device, int64_t m, int64_t d, const Partial& a,
                        const Partial& b) {
    cuda_check(cudaSetDevice(device.index), "cudaSetDevice");
    unsigned blocks = (unsigned)((m + kCombineWarps - 1) / kCombineWarps);
    merge_partial_kernel<<<blocks, kCombineWarps * 32, 0, device.stream>>>(m, d, a, b);
    cuda_check_launch("merge partial states");
    cuda_check(cudaStreamSynchronize(device.stream), "merge partial states");
}

void cuda_finalize_partial(const CudaDevice& device, int64_t m, int64_t d, const Partial& state,
                           const Epilogue& out) {
    cuda_check(cudaSetDevice(device.index), "cudaSetDevice");
    SplitStates one{state.max_logit, state.sum_exp, state.weighted_sum, state.laplace_sum, 1, m};
    Reduction shape;  // only m, d and the (unused) bandwidth matter to the epilogue
    shape.m = m;
    shape.d = d;
    Epilogue kept;  // the ABI's finalize gives lse, mean and gradient only
    kept.lse = out.lse;
    kept.mean = out.mean;
    kept.laplace_grad = out.laplace_grad;
    unsigned blocks = (unsigned)((m + kCombineWarps - 1) / kCombineWarps);
    combine_splits_kernel<<<blocks, kCombineWarps * 32, 0, device.stream>>>(one, shape, kept, Partial{});
    cuda_check_launch("finalize partial states");
    cuda_check(cudaStreamSynchronize(device.stream), "finalize partial states");
}

}  // namespace kgen
