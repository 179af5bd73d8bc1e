// CUDA kernel sums (MATH.md section 1), the host side and the passes after the reduction: the
// data split across blocks when the queries alone cannot fill the GPU, the reduction kernels
// (kernel_sums_low_d.cu, kernel_sums_any_d.cu, kernel_sums_tensor.cu) writing one (max, sum, weighted sum, gradient sum)
// state per split, and a combine pass that merges them into the outputs or one partial state.
// The merge and finalize of partial states reuse the same pieces. The m x n logits are never
// stored.
// Known float32 limit: a Laplace pair closer than about 1e-19 (r^2 underflows) counts as r = 0
// and adds nothing to the gradient, where the CPU's float64 still sees its direction.
#include <cuda_runtime.h>

#include <algorithm>

#include "../common/kernels.h"
#include "../common/log_sum_exp.h"
#include "../common/philox.h"
#include "kernel_sums.cuh"
#include "kernel_sums_tensor.h"
#include "split_plan.h"

namespace kgen {
namespace {

constexpr size_t kWorkspaceBytes = size_t(256) << 20;
constexpr int kCombineWarps = 4;

// The split states as the combine pass reads them: split s of query i at s * stride + i. The
// reduction kernels' splits keep their max in base 2; ABI partial states in natural log.
struct SplitsToCombine {
    ConstPartial state;
    int count;
    int64_t stride;
    bool max_in_base2;
};

// A warp per query: merges the splits, then writes either one partial state (`partial.max_logit`
// set) or the epilogue outputs. p gives m, d, the kernel, the bandwidths and the queries. The
// operation's weights and bandwidths checks run here too (value_checks.cuh): one pass over each
// array inside a launch that happens anyway.
__global__ void __launch_bounds__(kCombineWarps * 32)
combine_splits_kernel(SplitsToCombine splits, Reduction p, Epilogue out, Partial partial, DeviceChecks checks) {
    __shared__ float factors[kCombineWarps][kMaxSplits];
    run_checks(checks);
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int64_t i = (int64_t)blockIdx.x * kCombineWarps + warp;
    if (i >= p.m) return;  // the whole warp: the only barrier below is __syncwarp
    const int64_t d = p.d;
    const ConstPartial& s = splits.state;

    float merged_max = -INFINITY;
    for (int k = 0; k < splits.count; ++k) merged_max = fmaxf(merged_max, s.max_logit[k * splits.stride + i]);
    for (int k = lane; k < splits.count; k += 32) {
        const float split_max = s.max_logit[k * splits.stride + i];  // 0 for an empty split:
        factors[warp][k] = splits.max_in_base2 ? rescale_base2(split_max, merged_max) : rescale(split_max, merged_max);
    }
    // From here on the max is in natural log, as results and partial states carry it.
    if (splits.max_in_base2) merged_max *= kLn2;
    __syncwarp();
    float sum = 0.0f;
    for (int k = 0; k < splits.count; ++k) sum += s.sum_exp[k * splits.stride + i] * factors[warp][k];

    const bool to_partial = partial.max_logit != nullptr;
    const bool gradient = s.gradient_sum != nullptr;
    const float h = query_bandwidth(p, i);
    const float lse = merged_max + logf(sum);
    if (lane == 0) {
        if (to_partial) {
            partial.max_logit[i] = merged_max;
            partial.sum_exp[i] = sum;
        } else {
            if (out.lse) out.lse[i] = lse;
            if (out.log_density) {
                out.log_density[i] =
                    lse - for_kernel(p.kernel, [d, h](auto k) { return decltype(k)::template log_norm<float>(d, h); });
            }
        }
    }
    for (int64_t k = lane; k < d; k += 32) {
        float v = 0.0f, g = 0.0f;
        for (int t = 0; t < splits.count; ++t) {
            const int64_t at = (t * splits.stride + i) * d + k;
            v = fmaf(s.weighted_sum[at], factors[warp][t], v);
            if (gradient) g = fmaf(s.gradient_sum[at], factors[warp][t], g);
        }
        if (to_partial) {
            partial.weighted_sum[i * d + k] = v;
            if (partial.gradient_sum) partial.gradient_sum[i * d + k] = g;
            continue;
        }
        const float mean = v / sum;
        if (out.mean) out.mean[i * d + k] = mean;
        if (out.gradient) out.gradient[i * d + k] = g / sum;
        if (!out.score && !out.euler.x) continue;
        // The lane that reads x[i, k] is the only one that writes it (the Euler step), after
        // reading: x is the queries, and no other thread of this pass reads that element.
        const float x = p.queries[i * d + k];
        if (out.score) out.score[i * d + k] = (mean - x) / (h * h);
        const EulerStep& step = out.euler;
        if (step.x) {
            const uint64_t element = step.offset + (uint64_t)(i * d + k);
            const float z = step.noise != 0.0f ? normal_element(step.seed, step.stream, element) : 0.0f;
            step.x[i * d + k] = x + step.step * (mean - x) / (h * h) + step.noise * z;
        }
    }
}

// a <- merge(a, b): a warp per query; every lane reads the scalars before lane 0 rewrites them.
__global__ void __launch_bounds__(kCombineWarps * 32)
merge_partial_kernel(int64_t m, int64_t d, Partial a, ConstPartial b) {
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
        if (a.gradient_sum) a.gradient_sum[at] = a.gradient_sum[at] * fa + b.gradient_sum[at] * fb;
    }
    if (lane == 0) {
        a.max_logit[i] = merged;
        a.sum_exp[i] = sa * fa + sb * fb;
    }
}

void launch_combine(const SplitsToCombine& splits, const Reduction& p, const Epilogue& out,
                    const Partial& partial, const DeviceChecks& checks, cudaStream_t stream) {
    const unsigned blocks = (unsigned)((p.m + kCombineWarps - 1) / kCombineWarps);
    KGEN_LAUNCH(blocks, kCombineWarps * 32, 0, stream, combine_splits_kernel)(splits, p, out, partial, checks);
    cuda_check_launch("combine split states");
}

// The reduction kernel that serves the problem, with the block shape the planner needs.
struct ReductionLayout {
    bool tensor;  // kernel_sums_tensor.cu
    bool low_d;
    int64_t queries_per_block;
    int64_t tile_rows;
    int64_t blocks_per_sm;  // resident at once, from the occupancy API
};

ReductionLayout layout_for(const Reduction& p, bool gradient) {
    if (tensor_reduction_serves(p.d, gradient)) {
        return ReductionLayout{true, false, kTensorQueries, kTensorTileRows, tensor_resident_blocks(p)};
    }
    if (p.d <= kLowDMax) {
        const int padded = low_d_padded(p.d);
        return ReductionLayout{false, true, (int64_t)kLowDThreads * low_d_queries_per_thread(padded),
                               low_d_tile_rows(padded), low_d_resident_blocks(p, gradient)};
    }
    return ReductionLayout{false, false, kAnyDQueries, kAnyDTileRows, any_d_resident_blocks(p)};
}

// Epilogue and partial outputs of queries [c0, ...): every per-query pointer moved to row c0.
Epilogue chunk_of(const Epilogue& out, int64_t c0, int64_t d) {
    auto rows = [&](float* v, int64_t width) { return v ? v + c0 * width : nullptr; };
    Epilogue e;
    e.lse = rows(out.lse, 1);
    e.mean = rows(out.mean, d);
    e.gradient = rows(out.gradient, d);
    e.log_density = rows(out.log_density, 1);
    e.score = rows(out.score, d);
    e.euler = out.euler;
    e.euler.x = rows(out.euler.x, d);
    e.euler.offset = out.euler.offset + (uint64_t)(c0 * d);  // the kernel counts rows from the chunk
    return e;
}

Partial chunk_of(const Partial& out, int64_t c0, int64_t d) {
    auto rows = [&](float* v, int64_t width) { return v ? v + c0 * width : nullptr; };
    return Partial{rows(out.max_logit, 1), rows(out.sum_exp, 1), rows(out.weighted_sum, d),
                   rows(out.gradient_sum, d)};
}

// Runs the reduction in query chunks that keep the split workspace under kWorkspaceBytes, and
// writes either the epilogue outputs (final_out) or one partial state (partial_out).
void run_reduction(const CudaDevice& device, const Reduction& p, const Epilogue* final_out,
                   const Partial* partial_out) {
    const DeviceScope scope(device);
    const bool gradient = final_out ? final_out->gradient != nullptr : partial_out->gradient_sum != nullptr;
    const ReductionLayout layout = layout_for(p, gradient);
    const int64_t floats_per_state = 2 + p.d * (gradient ? 2 : 1);
    // At least one block's worth of query states must fit the workspace (matters only at huge d).
    const int64_t most_splits =
        (int64_t)(kWorkspaceBytes / sizeof(float)) / (layout.queries_per_block * floats_per_state);
    const SplitPlan plan = plan_splits((p.m + layout.queries_per_block - 1) / layout.queries_per_block, p.n,
                                       layout.tile_rows, device.sm_count * layout.blocks_per_sm, most_splits);
    const int64_t bytes_per_query = (int64_t)plan.splits * floats_per_state * (int64_t)sizeof(float);
    const int64_t granule = layout.queries_per_block;
    int64_t chunk = std::max<int64_t>(granule, (int64_t)kWorkspaceBytes / bytes_per_query / granule * granule);
    chunk = std::min(chunk, p.m);
    Scratch workspace(device, (size_t)(chunk * bytes_per_query));
    // The first chunk's combine pass checks all of the weights and bandwidths; later ones none.
    DeferredChecks::Ticket ticket = device.checks->reserve(p.weight_check, p.bandwidth_check);
    const DeviceChecks no_checks{};

    for (int64_t c0 = 0; c0 < p.m; c0 += chunk) {
        Reduction sub = p;
        sub.m = std::min(chunk, p.m - c0);
        sub.queries = p.queries + c0 * p.d;
        if (p.bandwidths) sub.bandwidths = p.bandwidths + c0;
        sub.self_offset = p.self_offset + c0;  // j == (local i + c0) + self_offset

        float* base = workspace.as<float>();
        const int64_t states = (int64_t)plan.splits * sub.m;
        const SplitStates split_states{base, base + states, base + 2 * states,
                                       gradient ? base + 2 * states + states * p.d : nullptr, plan.splits, sub.m};
        if (layout.tensor) {
            launch_tensor_reduction(device, sub, split_states, plan.rows_per_split);
        } else if (layout.low_d) {
            launch_low_d_reduction(sub, split_states, plan.rows_per_split, device.stream);
        } else {
            launch_any_d_reduction(sub, split_states, plan.rows_per_split, device.stream);
        }
        const SplitsToCombine splits{
            ConstPartial{split_states.max_logit, split_states.sum_exp, split_states.weighted, split_states.gradient},
            plan.splits, sub.m, true};
        const DeviceChecks& checks = c0 == 0 ? ticket.device() : no_checks;
        if (final_out) {
            launch_combine(splits, sub, chunk_of(*final_out, c0, p.d), Partial{}, checks, device.stream);
        } else {
            launch_combine(splits, sub, Epilogue{}, chunk_of(*partial_out, c0, p.d), checks, device.stream);
        }
    }
    ticket.launched();
}

}  // namespace

void cuda_reduce(const CudaDevice& device, const Reduction& problem, const Epilogue& out) {
    run_reduction(device, problem, &out, nullptr);
}

void cuda_reduce_partial(const CudaDevice& device, const Reduction& problem, const Partial& out) {
    run_reduction(device, problem, nullptr, &out);
}

void cuda_merge_partial(const CudaDevice& device, int64_t m, int64_t d, const Partial& a, const ConstPartial& b) {
    const DeviceScope scope(device);
    const unsigned blocks = (unsigned)((m + kCombineWarps - 1) / kCombineWarps);
    KGEN_LAUNCH(blocks, kCombineWarps * 32, 0, device.stream, merge_partial_kernel)(m, d, a, b);
    cuda_check_launch("merge partial states");
}

void cuda_finalize_partial(const CudaDevice& device, int64_t m, int64_t d, const ConstPartial& state,
                           const Epilogue& out) {
    const DeviceScope scope(device);
    Reduction shape;  // a partial state has no queries or bandwidths: only m and d matter
    shape.m = m;
    shape.d = d;
    Epilogue sums;  // so the outputs that need them (log-density, score, the step) are not made
    sums.lse = out.lse;
    sums.mean = out.mean;
    sums.gradient = out.gradient;
    launch_combine(SplitsToCombine{state, 1, m, false}, shape, sums, Partial{}, DeviceChecks{}, device.stream);
}

}  // namespace kgen
