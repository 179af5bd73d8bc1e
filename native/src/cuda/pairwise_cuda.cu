// Kernel-free pairwise reductions on the GPU (nearest two rows, distance sums) for the metrics.
// One template serves both: a thread per query with a per-query scalar state, data tiles and the
// block's query chunk in shared memory, squared distances (x - y)^2 accumulated over coordinate
// chunks, the data split across blocks (blockIdx.y) and the split states merged by a second pass.
// These are not hot paths (a metric runs once per evaluation), so clarity wins over speed here.
// Distances are float32 here and float64 on the CPU: where two rows are equally near to float
// precision the tie rule (smaller index) may pick a different row than the CPU; the distances agree.
#include <cuda_runtime.h>

#include <algorithm>

#include "../common/nearest_two.h"
#include "cuda_common.h"
#include "split_plan.h"
#include "tiles.cuh"

namespace kgen {
namespace {

constexpr int kThreads = 128;  // queries per block
constexpr int kRows = 32;      // data rows per tile: a thread keeps their squared distances in registers
constexpr int kChunk = 16;     // coordinates per staged chunk

struct NearestTwoReducer {
    using State = NearestTwo<float>;
    float* distances;
    int64_t* indices;

    __device__ State init() const { return State::empty(); }
    __device__ void pair(State& s, float r2, int64_t j, float) const { s.insert(r2, j); }
    __device__ void merge(State& s, const State& other) const { s.merge(other); }
    __device__ void write(const State& s, int64_t i) const {
        for (int k = 0; k < 2; ++k) {
            distances[2 * i + k] = sqrtf(s.r2[k]);
            if (indices) indices[2 * i + k] = s.index[k];
        }
    }
};

struct DistanceSumReducer {
    struct State {
        float sum;
        float compensation;  // Kahan: n can be large and every term is positive
    };
    float* sums;

    __device__ State init() const { return State{0.0f, 0.0f}; }
    __device__ void add(State& s, float term) const {
        float y = term - s.compensation;
        float t = s.sum + y;
        s.compensation = (t - s.sum) - y;
        s.sum = t;
    }
    __device__ void pair(State& s, float r2, int64_t, float w) const {
        if (w != 0.0f) add(s, w * sqrtf(r2));
    }
    __device__ void merge(State& s, const State& other) const { add(s, other.sum - other.compensation); }
    __device__ void write(const State& s, int64_t i) const { sums[i] = s.sum; }
};

template <typename Reducer>
__global__ void __launch_bounds__(kThreads)
pairwise_partial_kernel(Pairs p, Reducer reducer, typename Reducer::State* states, int64_t rows_per_split) {
    // Pitch kChunk + 1: thread t reads row t of xs, so a warp walks down a column.
    __shared__ float xs[kThreads][kChunk + 1];
    __shared__ float ys[kRows][kChunk + 1];
    const int64_t q0 = (int64_t)blockIdx.x * kThreads;
    const int64_t i = q0 + threadIdx.x;
    const bool active = i < p.m;
    const int64_t d = p.d;
    const int64_t j_begin = (int64_t)blockIdx.y * rows_per_split;
    const int64_t j_end = j_begin + rows_per_split < p.n ? j_begin + rows_per_split : p.n;
    const int queries_here = (int)(p.m - q0 < kThreads ? p.m - q0 : kThreads);
    typename Reducer::State state = reducer.init();

    // Every loop bound here is the same for the whole block, so each thread reaches every barrier.
    for (int64_t t0 = j_begin; t0 < j_end; t0 += kRows) {
        const int rows = (int)(j_end - t0 < kRows ? j_end - t0 : kRows);
        float r2[kRows];
#pragma unroll
        for (int r = 0; r < kRows; ++r) r2[r] = 0.0f;
        for (int64_t k0 = 0; k0 < d; k0 += kChunk) {
            const int width = (int)(d - k0 < kChunk ? d - k0 : kChunk);
            __syncthreads();  // every thread is done with the previous chunk
            stage_tile<kChunk, kThreads>(xs, p.queries, d, q0, queries_here, k0, width);
            stage_tile<kChunk, kThreads>(ys, p.data, d, t0, rows, k0, width);
            __syncthreads();
#pragma unroll
            for (int r = 0; r < kRows; ++r) {
#pragma unroll
                for (int k = 0; k < kChunk; ++k) {
                    const float diff = xs[threadIdx.x][k] - ys[r][k];
                    r2[r] = fmaf(diff, diff, r2[r]);
                }
            }
        }
        if (active) {
#pragma unroll
            for (int r = 0; r < kRows; ++r) {
                const int64_t j = t0 + r;
                if (r < rows && !(p.leave_one_out && j == i + p.self_offset)) {
                    reducer.pair(state, r2[r], j, p.weights ? p.weights[j] : 1.0f);
                }
            }
        }
    }
    if (active) states[(int64_t)blockIdx.y * p.m + i] = state;
}

// Also runs the weights' check (value_checks.cuh): it reads every weight once, here rather than
// in a launch of its own.
template <typename Reducer>
__global__ void pairwise_merge_kernel(int64_t m, int splits, Reducer reducer, const typename Reducer::State* states,
                                      DeviceChecks checks) {
    run_checks(checks);
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < m; i += (int64_t)gridDim.x * blockDim.x) {
        typename Reducer::State s = states[i];
        for (int k = 1; k < splits; ++k) reducer.merge(s, states[(int64_t)k * m + i]);
        reducer.write(s, i);
    }
}

template <typename Reducer>
void run_pairwise(const CudaDevice& device, const Pairs& p, Reducer reducer, const char* what) {
    const DeviceScope scope(device);
    DeferredChecks::Ticket checks = device.checks->reserve(p.weight_check, ValueCheck{});
    const int64_t query_blocks = (p.m + kThreads - 1) / kThreads;
    const int64_t per_sm = resident_blocks(pairwise_partial_kernel<Reducer>, kThreads);
    const SplitPlan plan = plan_splits(query_blocks, p.n, kRows, device.sm_count * per_sm);
    using State = typename Reducer::State;
    Scratch states(device, (size_t)(plan.splits * p.m) * sizeof(State));
    const dim3 grid((unsigned)query_blocks, (unsigned)plan.splits);
    KGEN_LAUNCH(grid, kThreads, 0, device.stream, pairwise_partial_kernel<Reducer>)(p, reducer, states.as<State>(),
                                                                            plan.rows_per_split);
    cuda_check_launch(what);
    KGEN_LAUNCH(blocks_for(p.m, 256), 256, 0, device.stream, pairwise_merge_kernel<Reducer>)(p.m, plan.splits, reducer,
                                                                                      states.as<State>(),
                                                                                      checks.device());
    cuda_check_launch(what);
    checks.launched();
}

}  // namespace

void cuda_nearest_two(const CudaDevice& device, const Pairs& pairs, float* distances, int64_t* indices) {
    run_pairwise(device, pairs, NearestTwoReducer{distances, indices}, "nearest two");
}

void cuda_distance_sum(const CudaDevice& device, const Pairs& pairs, float* sums) {
    run_pairwise(device, pairs, DistanceSumReducer{sums}, "distance sum");
}

}  // namespace kgen
