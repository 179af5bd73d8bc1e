// The tensor-core kernel-sum reduction for d >= 32 (MATH.md sections 1 and 7), flash-style: the
// logits of a 64-query x 64-row tile come from S = X' Y'^T on tensor cores, are exponentiated
// in registers against a running max, and the weights P multiply the data on tensor cores into
// the block's weighted sums O += P Y. The m x n logits are never stored.
//
// Block: 4 warps, each owning 16 queries: its S fragment (16 x 64) stays in registers and becomes
// P in place, the A operand of P Y through the chaining coordinates of mma.cuh (no trip through
// shared memory). O, 16 x d per warp, does not fit registers at high d: it lives in the split
// workspace (as in the any-d kernel), each element owned by one lane for the whole kernel, and
// is visited in 32-column chunks once per data tile, so S is computed once per tile whatever d.
//
// Pipeline: every step stages one 32-coordinate chunk with cp.async into one of two buffers
// while the block computes on the other. A tile takes ceil(d / 32) steps for S (the query chunk,
// the data chunk and the centre's chunk) and as many for O (the data chunk). One barrier per step.
//
// Accuracy: r^2 = |x'|^2 + |y'|^2 - 2 x'.y' with x' = x - c, y' = y - c for a centre c (the mean
// of the first data rows): r^2 is unchanged, and the cancellation error of the GEMM form,
// a few 2^-24 (|x'|^2 + |y'|^2), scales with the data's spread instead of its distance from
// the origin. Where r^2 is still below kCancellation of |x'|^2 + |y'|^2 (near and coincident
// pairs, whose logits matter most at small bandwidths) the pair is summed directly from global
// memory, so every r^2 keeps about 2^-16 relative accuracy and r = 0 stays exactly 0. Products are 3xTF32 by default (x = hi + lo, x.y ~ hi.hi + hi.lo +
// lo.hi, about float32's accuracy); KGEN_CUDA_PRECISION=tf32 keeps hi.hi only (about 2^-11
// relative per product). P Y uses the same precision as S: P is rounded to tf32 otherwise, an
// error of 2^-11 relative in every weight. Weight blocks (8 data rows of a warp's 16 queries)
// all below 1e-12 of their row's max are skipped in P Y.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#include "../common/kernels.h"
#include "../common/log_sum_exp.h"
#include "../errors.h"
#include "kernel_sums_tensor.h"
#include "mma.cuh"

namespace kgen {
namespace {

using Mma = MmaM16N8K8;
constexpr int kWarps = kTensorQueries / Mma::kM;
constexpr int kThreads = 32 * kWarps;
constexpr int kChunk = 32;                          // coordinates per pipeline step
constexpr int kPitch = kChunk + 4;                  // conflict-free fragment reads; 16-byte rows
constexpr int kSteps = kChunk / Mma::kK;            // k-steps of S per chunk
constexpr int kTiles = kTensorTileRows / Mma::kN;   // n-tiles of S, k-steps of P Y
constexpr int kColumnTiles = kChunk / Mma::kN;      // n-tiles of O per chunk
constexpr int64_t kCenterRows = 1024;               // data rows averaged into the centre
constexpr float kNegligible = 1e-12f;               // weights below this share of the row max
// Below this share of |x'|^2 + |y'|^2, r^2 from the GEMM form has lost too many bits (about
// 2^-22 / kCancellation relative with 3xTF32): it is summed again directly, (x - y)^2.
constexpr float kCancellation = 1.0f / 64;
constexpr unsigned kFull = 0xffffffffu;
static_assert(kWarps == 4 && kTiles == 8, "the shapes the comments and registers assume");

struct Stage {
    float x[kTensorQueries][kPitch];
    float y[kTensorTileRows][kPitch];
    float center[kChunk];
};
static_assert(kThreads == 2 * kTensorTileRows, "two threads sum each data row's |y'|^2");

// Rows [row0, row0 + rows) x columns [col0, col0 + kChunk) of a row-major matrix with d floats
// per row into tile, by cp.async; entries outside the matrix are zero-filled (nothing is read).
// wide: 16-byte copies (d % 4 == 0 and the matrix 16-byte aligned).
template <int Rows>
__device__ __forceinline__ void stage_async(float (&tile)[Rows][kPitch], const float* matrix, int64_t d,
                                            int64_t row0, int rows, int64_t col0, bool wide) {
    if (wide) {
        constexpr int kPerRow = kChunk / 4;
        for (int v = threadIdx.x; v < Rows * kPerRow; v += kThreads) {
            const int r = v / kPerRow, k = 4 * (v % kPerRow);
            const bool inside = r < rows && col0 + k < d;
            cp_async<16>(&tile[r][k], inside ? matrix + (row0 + r) * d + col0 + k : matrix, inside ? 16 : 0);
        }
    } else {
        for (int v = threadIdx.x; v < Rows * kChunk; v += kThreads) {
            const int r = v / kChunk, k = v % kChunk;
            const bool inside = r < rows && col0 + k < d;
            cp_async<4>(&tile[r][k], inside ? matrix + (row0 + r) * d + col0 + k : matrix, inside ? 4 : 0);
        }
    }
}

// |x - y|^2 summed directly: the pairs the GEMM form cannot resolve.
__device__ float direct_r2(const float* x, const float* y, int64_t d) {
    float r2 = 0.0f;
    for (int64_t k = 0; k < d; ++k) {
        const float diff = x[k] - y[k];
        r2 = fmaf(diff, diff, r2);
    }
    return r2;
}

// v = hi + lo, both tf32 (lo only when split).
template <bool kSplit>
__device__ __forceinline__ void to_parts(float v, uint32_t& hi, uint32_t& lo) {
    hi = to_tf32(v);
    lo = kSplit ? to_tf32(v - __int_as_float((int)hi)) : 0u;
}

// acc += A B: the small cross terms first, then hi.hi.
template <bool kSplit>
__device__ __forceinline__ void mma_parts(float acc[4], const uint32_t a_hi[4], const uint32_t a_lo[4],
                                          const uint32_t b_hi[2], const uint32_t b_lo[2]) {
    if (kSplit) {
        mma_m16n8k8_tf32(acc, a_lo, b_hi, acc);
        mma_m16n8k8_tf32(acc, a_hi, b_lo, acc);
    }
    mma_m16n8k8_tf32(acc, a_hi, b_hi, acc);
}

// Sum over the four lanes of a fragment row (lanes that differ in their two low bits).
__device__ __forceinline__ float quad_sum(float v) {
    v += __shfl_xor_sync(kFull, v, 1);
    return v + __shfl_xor_sync(kFull, v, 2);
}
__device__ __forceinline__ float quad_max(float v) {
    v = fmaxf(v, __shfl_xor_sync(kFull, v, 1));
    return fmaxf(v, __shfl_xor_sync(kFull, v, 2));
}

// Blocks per SM the compiler must fit (a register cap of 65536 / (kThreads * blocks)): 4 gives
// 128 registers, enough for the Gaussian and Laplace weights; the Cauchy weight's log1p needs a
// few more (at 4 it spilled 4 bytes under 3xTF32), so it is held to 3 (170 registers).
template <typename K>
constexpr int tensor_min_blocks() {
    return std::is_same<K, CauchyKernel>::value ? 3 : 4;
}

template <typename K, bool kSplit>
__global__ void __launch_bounds__(kThreads, tensor_min_blocks<K>())
tensor_reduction_kernel(Reduction p, SplitStates states, int64_t rows_per_split, const float* center, bool wide) {
    __shared__ __align__(16) Stage stages[2];
    using Query = typename K::template Query<float>;

    const int tid = (int)threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int64_t d = p.d;
    const int64_t q0 = (int64_t)blockIdx.x * kTensorQueries;
    const int queries_here = (int)min_i64(kTensorQueries, p.m - q0);
    const int64_t j_begin = (int64_t)blockIdx.y * rows_per_split;
    const int64_t j_end = min_i64(p.n, j_begin + rows_per_split);
    const int chunks = (int)((d + kChunk - 1) / kChunk);
    const int64_t steps = (j_end - j_begin + kTensorTileRows - 1) / kTensorTileRows * 2 * chunks;

    // This lane's two query rows in its fragments: half h is row lane / 4 + 8 h of the warp's 16.
    int row[2];
    bool active[2];
    for (int h = 0; h < 2; ++h) {
        row[h] = Mma::kM * warp + lane / 4 + 8 * h;
        active[h] = row[h] < queries_here;
    }
    const Query query[2] = {Query(active[0] ? query_bandwidth(p, q0 + row[0]) : 1.0f, d, kLog2e),
                            Query(active[1] ? query_bandwidth(p, q0 + row[1]) : 1.0f, d, kLog2e)};
    float* sums = states.weighted + ((int64_t)blockIdx.y * states.stride + q0) * d;

    __shared__ float y_norms[kTensorTileRows];  // |y'|^2 of the tile's rows, once S is complete

    float s[kTiles][4] = {};  // S, then the tile's weights P, rows c_row, columns 8j + c_col
    float x_norm[2] = {};  // this lane's share of |x'|^2 of its two rows
    float y_norm = 0.0f;   // this thread's half of |y'|^2 of data row tid / 2
    float max_log2[2] = {-INFINITY, -INFINITY}, sum[2] = {0.0f, 0.0f};  // sum: this lane's share
    float factor[2] = {0.0f, 0.0f};  // this tile's rescale of O
    unsigned useful = 0;             // bit j: P's k-step j has a weight that counts; bit kTiles: O rescales

    auto issue = [&](int64_t step, Stage& stage) {
        const int64_t t0 = j_begin + step / (2 * chunks) * kTensorTileRows;
        const int rows = (int)min_i64(kTensorTileRows, j_end - t0);
        const int phase = (int)(step % (2 * chunks));
        const int64_t k0 = (int64_t)(phase < chunks ? phase : phase - chunks) * kChunk;
        stage_async(stage.y, p.data, d, t0, rows, k0, wide);
        if (phase < chunks) {
            stage_async(stage.x, p.queries, d, q0, queries_here, k0, wide);
            if (tid < kChunk) {
                const bool inside = k0 + tid < d;
                cp_async<4>(&stage.center[tid], inside ? center + k0 + tid : center, inside ? 4 : 0);
            }
        }
    };

    // S += X' Y'^T over one chunk, and the squared norms.
    auto add_scores = [&](const Stage& stage) {
        for (int k = tid % 2 * (kChunk / 2); k < (tid % 2 + 1) * (kChunk / 2); ++k) {
            const float v = stage.y[tid / 2][k] - stage.center[k];
            y_norm = fmaf(v, v, y_norm);
        }
#pragma unroll
        for (int ks = 0; ks < kSteps; ++ks) {
            uint32_t a_hi[4], a_lo[4];
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                const int k = Mma::kK * ks + Mma::a_col(lane, i);
                const float v = stage.x[Mma::kM * warp + Mma::a_row(lane, i)][k] - stage.center[k];
                x_norm[Mma::a_half(i)] = fmaf(v, v, x_norm[Mma::a_half(i)]);
                to_parts<kSplit>(v, a_hi[i], a_lo[i]);
            }
#pragma unroll
            for (int j = 0; j < kTiles; ++j) {
                uint32_t b_hi[2], b_lo[2];
#pragma unroll
                for (int i = 0; i < 2; ++i) {
                    const int k = Mma::kK * ks + Mma::b_row(lane, i);
                    to_parts<kSplit>(stage.y[Mma::kN * j + Mma::b_col(lane, i)][k] - stage.center[k], b_hi[i],
                                     b_lo[i]);
                }
                mma_parts<kSplit>(s[j], a_hi, a_lo, b_hi, b_lo);
            }
        }
    };

    // S -> logits -> P = exp2(a - running max), the sums and the rescale of O.
    auto to_weights = [&](int64_t t0, int rows) {
        const float y_norm_row = y_norm + __shfl_xor_sync(kFull, y_norm, 1);
        if (tid % 2 == 0) y_norms[tid / 2] = y_norm_row;
        __syncthreads();  // the tile's |y'|^2 are visible (a step's barrier orders the next tile's writes)
        float xn[2], tile_max[2] = {-INFINITY, -INFINITY};
        for (int h = 0; h < 2; ++h) xn[h] = quad_sum(x_norm[h]);
#pragma unroll
        for (int j = 0; j < kTiles; ++j) {
#pragma unroll
            for (int e = 0; e < 4; ++e) {
                const int h = Mma::c_half(e), col = Mma::kN * j + Mma::c_col(lane, e);
                const float yn = y_norms[col];
                float r2 = fmaxf(0.0f, fmaf(-2.0f, s[j][e], xn[h] + yn));
                const int64_t jj = t0 + col;
                if (r2 < kCancellation * (xn[h] + yn) && active[h] && col < rows) {
                    r2 = direct_r2(p.queries + (q0 + row[h]) * d, p.data + jj * d, d);
                }
                // Leave-one-out skips data row j == i + self_offset.
                const bool skipped = p.leave_one_out && jj == q0 + row[h] + p.self_offset;
                const float log2_weight = (active[h] && col < rows && !skipped)
                                              ? log_weight<float>(p.weights, jj, p.uniform_log_weight) * kLog2e
                                              : -INFINITY;
                // pair_logit: r = 0 contributes log k = 0 exactly (common/kernels.h).
                s[j][e] = log2_weight == -INFINITY
                              ? -INFINITY
                              : pair_logit(query[h], log2_weight, r2, K::kNeedsDistance ? sqrtf(r2) : 0.0f);
                tile_max[h] = fmaxf(tile_max[h], s[j][e]);
            }
        }
        useful = 0;
        float tile_sum[2] = {0.0f, 0.0f};
        for (int h = 0; h < 2; ++h) {
            const float new_max = fmaxf(max_log2[h], quad_max(tile_max[h]));
            factor[h] = max_log2[h] == -INFINITY ? 0.0f : exp2f(max_log2[h] - new_max);
            max_log2[h] = new_max;
            if (factor[h] != 1.0f) useful |= 1u << kTiles;
        }
#pragma unroll
        for (int j = 0; j < kTiles; ++j) {
#pragma unroll
            for (int e = 0; e < 4; ++e) {
                const int h = Mma::c_half(e);
                // A logit that underflowed adds nothing, and exp2(a - max) would be NaN at max = -inf.
                const float w = s[j][e] == -INFINITY ? 0.0f : exp2f(s[j][e] - max_log2[h]);
                s[j][e] = w;
                tile_sum[h] += w;
                if (w >= kNegligible) useful |= 1u << j;
            }
        }
        for (int h = 0; h < 2; ++h) sum[h] = fmaf(sum[h], factor[h], tile_sum[h]);
        for (int offset = 1; offset < 32; offset *= 2) useful |= __shfl_xor_sync(kFull, useful, offset);
    };

    // O[:, k0 : k0 + kChunk) = O factor + P Y for this warp's 16 queries.
    auto add_weighted = [&](const Stage& stage, int64_t k0, bool first) {
        if (!first && useful == 0) return;  // the whole warp: nothing to add, nothing to rescale
        float acc[kColumnTiles][4];
#pragma unroll
        for (int n = 0; n < kColumnTiles; ++n) {
#pragma unroll
            for (int e = 0; e < 4; ++e) {
                const int r = Mma::kM * warp + Mma::c_row(lane, e);
                const int64_t k = k0 + Mma::kN * n + Mma::c_col(lane, e);
                const bool inside = r < queries_here && k < d;
                acc[n][e] = (first || !inside) ? 0.0f : sums[r * d + k] * factor[Mma::c_half(e)];
            }
        }
#pragma unroll
        for (int j = 0; j < kTiles; ++j) {
            if (!(useful >> j & 1u)) continue;
            uint32_t a_hi[4], a_lo[4];
#pragma unroll
            for (int i = 0; i < 4; ++i) to_parts<kSplit>(s[j][Mma::a_from_d(i)], a_hi[i], a_lo[i]);
#pragma unroll
            for (int n = 0; n < kColumnTiles; ++n) {
                uint32_t b_hi[2], b_lo[2];
#pragma unroll
                for (int i = 0; i < 2; ++i) {
                    const float v = stage.y[Mma::kN * j + Mma::k_order(Mma::b_row(lane, i))][Mma::kN * n + Mma::b_col(lane, i)];
                    to_parts<kSplit>(v, b_hi[i], b_lo[i]);
                }
                mma_parts<kSplit>(acc[n], a_hi, a_lo, b_hi, b_lo);
            }
        }
#pragma unroll
        for (int n = 0; n < kColumnTiles; ++n) {
#pragma unroll
            for (int e = 0; e < 4; ++e) {
                const int r = Mma::kM * warp + Mma::c_row(lane, e);
                const int64_t k = k0 + Mma::kN * n + Mma::c_col(lane, e);
                if (r < queries_here && k < d) sums[r * d + k] = acc[n][e];
            }
        }
    };

    // Every loop bound here is the same for the whole block, so each thread reaches every barrier.
    issue(0, stages[0]);
    cp_async_commit();
    for (int64_t step = 0; step < steps; ++step) {
        Stage& stage = stages[step % 2];
        cp_async_wait<0>();
        __syncthreads();  // this step's chunk has landed for all; the other buffer is consumed
        if (step + 1 < steps) issue(step + 1, stages[(step + 1) % 2]);
        cp_async_commit();

        const int64_t t0 = j_begin + step / (2 * chunks) * kTensorTileRows;
        const int phase = (int)(step % (2 * chunks));
        if (phase < chunks) {
            if (phase == 0) {
#pragma unroll
                for (int j = 0; j < kTiles; ++j) {
                    for (int e = 0; e < 4; ++e) s[j][e] = 0.0f;
                }
                x_norm[0] = x_norm[1] = 0.0f;
                y_norm = 0.0f;
            }
            add_scores(stage);
            if (phase == chunks - 1) to_weights(t0, (int)min_i64(kTensorTileRows, j_end - t0));
        } else {
            add_weighted(stage, (int64_t)(phase - chunks) * kChunk, t0 == j_begin);
        }
    }

    for (int h = 0; h < 2; ++h) {
        const float total = quad_sum(sum[h]);
        if (active[h] && lane % 4 == 0) {
            const int64_t at = (int64_t)blockIdx.y * states.stride + q0 + row[h];
            states.max_logit[at] = max_log2[h];  // base 2; -inf (no pair in this split) stays -inf
            states.sum_exp[at] = total;
        }
    }
}

// The centre c: the mean of the first `rows` data rows, a thread per coordinate.
__global__ void center_kernel(const float* data, int64_t rows, int64_t d, float* center) {
    for (int64_t k = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; k < d; k += (int64_t)gridDim.x * blockDim.x) {
        float total = 0.0f;
        for (int64_t r = 0; r < rows; ++r) total += data[r * d + k];
        center[k] = rows > 0 ? total / (float)rows : 0.0f;
    }
}

bool aligned16(const void* pointer) { return reinterpret_cast<uintptr_t>(pointer) % 16 == 0; }

}  // namespace

TensorPrecision tensor_precision_from_environment() {
    const char* text = std::getenv("KGEN_CUDA_PRECISION");
    if (text == nullptr || *text == '\0' || std::strcmp(text, "3xtf32") == 0) return TensorPrecision::k3xTf32;
    if (std::strcmp(text, "tf32") == 0) return TensorPrecision::kTf32;
    throw invalid_argument(std::string("KGEN_CUDA_PRECISION must be \"3xtf32\" or \"tf32\", not \"") + text + "\"");
}

int64_t tensor_resident_blocks(const Reduction& p) {
    // Both precisions share the register and shared-memory budget; ask for the default one's.
    return for_kernel(p.kernel, [](auto kernel) {
        return resident_blocks(tensor_reduction_kernel<decltype(kernel), true>, kThreads);
    });
}

void launch_tensor_reduction(const CudaDevice& device, const Reduction& p, const SplitStates& states,
                             int64_t rows_per_split) {
    Scratch center(device, (size_t)p.d * sizeof(float));
    KGEN_LAUNCH(blocks_for(p.d, 128), 128, 0, device.stream, center_kernel)(
        p.data, std::min<int64_t>(p.n, kCenterRows), p.d, center.as<float>());
    cuda_check_launch("kernel-sum centre");

    const bool wide = p.d % 4 == 0 && aligned16(p.queries) && aligned16(p.data);
    const dim3 grid((unsigned)((p.m + kTensorQueries - 1) / kTensorQueries), (unsigned)states.count);
    const float* c = center.as<float>();
    for_kernel(p.kernel, [&](auto kernel) {
        using K = decltype(kernel);
        if (device.precision == TensorPrecision::kTf32) {
            KGEN_LAUNCH(grid, kThreads, 0, device.stream, tensor_reduction_kernel<K, false>)(p, states, rows_per_split, c, wide);
        } else {
            KGEN_LAUNCH(grid, kThreads, 0, device.stream, tensor_reduction_kernel<K, true>)(p, states, rows_per_split, c, wide);
        }
    });
    cuda_check_launch("kernel-sum reduction (tensor cores)");
}

}  // namespace kgen
