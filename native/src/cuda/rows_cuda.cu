// Row-wise helpers for drifting's batch-normalised field: a per-row weighted displacement, and a
// sum of squares reduced in a fixed order (block partials, then one block), so repeated runs give
// the same bits. Also the value scan behind kgen_scan, whose sum may come in any order.
#include <cstddef>

#include "cuda_common.h"

namespace kgen {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxPartials = 1024;

__global__ void row_update_kernel(float* y, const float* a, const float* x, const float* scale, int64_t m, int64_t d) {
    for (int64_t k = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; k < m * d; k += (int64_t)gridDim.x * blockDim.x) {
        const int64_t i = k / d;
        y[k] += scale[i] * (a[k] - (x ? x[k] : 0.0f));
    }
}

// Block b sums a fixed, contiguous range of the values in double.
__global__ void sum_squares_partial_kernel(const float* values, int64_t count, int64_t per_block, double* partials) {
    __shared__ double lanes[kThreads];
    const int64_t begin = blockIdx.x * per_block;
    const int64_t end = begin + per_block < count ? begin + per_block : count;
    double s = 0.0;
    for (int64_t i = begin + threadIdx.x; i < end; i += kThreads) s += (double)values[i] * values[i];
    lanes[threadIdx.x] = s;
    __syncthreads();
    for (unsigned half = kThreads / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) lanes[threadIdx.x] += lanes[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) partials[blockIdx.x] = lanes[0];
}

__global__ void sum_partials_kernel(const double* partials, int count, double* result) {
    __shared__ double lanes[kThreads];
    double s = 0.0;
    for (int i = threadIdx.x; i < count; i += kThreads) s += partials[i];
    lanes[threadIdx.x] = s;
    __syncthreads();
    for (unsigned half = kThreads / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) lanes[threadIdx.x] += lanes[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) *result = lanes[0];
}

// What one scan finds, reduced on the device by atomics. Unsigned for atomicAdd and atomicMin;
// first_bad starts at the largest value so that any bad index is below it.
struct ScanTotals {
    unsigned long long bad_count;
    double sum;
    unsigned long long first_bad;
};

__global__ void __launch_bounds__(kThreads)
scan_kernel(const float* values, int64_t count, float lower, ScanTotals* totals) {
    unsigned long long bad = 0, first = ~0ull;
    double sum = 0.0;
    // A thread's indices ascend, so its first bad one is its smallest.
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count; i += (int64_t)gridDim.x * blockDim.x) {
        const float v = values[i];
        if (!isfinite(v) || v < lower) {
            if (bad == 0) first = (unsigned long long)i;
            ++bad;
        }
        sum += (double)v;
    }
    // One atomic per warp, not per thread: every lane reaches the shuffles (the loop above has
    // no early exit and the block is whole warps).
    for (int offset = 16; offset > 0; offset /= 2) {
        bad += __shfl_xor_sync(0xffffffffu, bad, offset);
        const unsigned long long other = __shfl_xor_sync(0xffffffffu, first, offset);
        first = other < first ? other : first;
        sum += __shfl_xor_sync(0xffffffffu, sum, offset);
    }
    if (threadIdx.x % 32 != 0) return;
    atomicAdd(&totals->sum, sum);
    if (bad != 0) {
        atomicAdd(&totals->bad_count, bad);
        atomicMin(&totals->first_bad, first);
    }
}

}  // namespace

ScanResult cuda_scan(const CudaDevice& device, const float* values, int64_t count, float lower) {
    const DeviceScope scope(device);
    // The totals belong to this call, not to the context: two host threads may scan on one
    // context at once, and stream order keeps each buffer apart from the other call's.
    Scratch scratch(device, sizeof(ScanTotals));
    ScanTotals* totals = scratch.as<ScanTotals>();
    cuda_check(cudaMemsetAsync(totals, 0, offsetof(ScanTotals, first_bad), device.stream), "scan");
    cuda_check(cudaMemsetAsync(&totals->first_bad, 0xff, sizeof totals->first_bad, device.stream), "scan");
    const unsigned blocks = std::min<unsigned>(blocks_for(count, kThreads), (unsigned)device.sm_count * 8);
    KGEN_LAUNCH(blocks, kThreads, 0, device.stream, scan_kernel)(values, count, lower, totals);
    cuda_check_launch("scan");
    ScanTotals host{};
    cuda_check(cudaMemcpyAsync(&host, totals, sizeof host, cudaMemcpyDeviceToHost, device.stream), "scan");
    device.checks->wait("scan");
    ScanResult result;
    result.bad_count = (int64_t)host.bad_count;
    result.first_bad = host.bad_count != 0 ? (int64_t)host.first_bad : -1;
    result.sum = host.sum;
    return result;
}

void cuda_row_update(const CudaDevice& device, float* y, const float* a, const float* x, const float* scale,
                     int64_t m, int64_t d) {
    const DeviceScope scope(device);
    KGEN_LAUNCH(blocks_for(m * d, kThreads), kThreads, 0, device.stream, row_update_kernel)(y, a, x, scale, m, d);
    cuda_check_launch("row update");
}

double cuda_sum_squares(const CudaDevice& device, const float* values, int64_t count) {
    const DeviceScope scope(device);
    // The split depends on count alone, never on the device, so the bits do not either.
    const int64_t per_block = std::max<int64_t>(kThreads * 16, (count + kMaxPartials - 1) / kMaxPartials);
    const int blocks = (int)((count + per_block - 1) / per_block);
    Scratch partials(device, (blocks + 1) * sizeof(double));
    double* result = partials.as<double>() + blocks;
    KGEN_LAUNCH(blocks, kThreads, 0, device.stream, sum_squares_partial_kernel)(values, count, per_block, partials.as<double>());
    cuda_check_launch("sum of squares");
    KGEN_LAUNCH(1, kThreads, 0, device.stream, sum_partials_kernel)(partials.as<double>(), blocks, result);
    cuda_check_launch("sum of squares");
    double host = 0.0;
    cuda_check(cudaMemcpyAsync(&host, result, sizeof host, cudaMemcpyDeviceToHost, device.stream), "sum of squares");
    device.checks->wait("sum of squares");
    return host;
}

}  // namespace kgen
