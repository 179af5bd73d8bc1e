// Row-wise helpers for drifting's batch-normalised field: a per-row weighted displacement, and a
// sum of squares reduced in a fixed order (block partials, then one block), so repeated runs give
// the same bits.
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
    for (int half = kThreads / 2; half > 0; half /= 2) {
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
    for (int half = kThreads / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) lanes[threadIdx.x] += lanes[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) *result = lanes[0];
}

}  // namespace

void cuda_row_update(const CudaDevice& device, float* y, const float* a, const float* x, const float* scale,
                     int64_t m, int64_t d) {
    cuda_check(cudaSetDevice(device.index), "cudaSetDevice");
    row_update_kernel<<<blocks_for(m * d, kThreads), kThreads, 0, device.stream>>>(y, a, x, scale, m, d);
    cuda_check_launch("row update");
    cuda_check(cudaStreamSynchronize(device.stream), "row update");
}

double cuda_sum_squares(const CudaDevice& device, const float* values, int64_t count) {
    cuda_check(cudaSetDevice(device.index), "cudaSetDevice");
    // The split depends on count alone, never on the device, so the bits do not either.
    const int64_t per_block = std::max<int64_t>(kThreads * 16, (count + kMaxPartials - 1) / kMaxPartials);
    const int blocks = (int)((count + per_block - 1) / per_block);
    Scratch partials(device, (blocks + 1) * sizeof(double));
    double* result = partials.as<double>() + blocks;
    sum_squares_partial_kernel<<<blocks, kThreads, 0, device.stream>>>(values, count, per_block, partials.as<double>());
    cuda_check_launch("sum of squares");
    sum_partials_kernel<<<1, kThreads, 0, device.stream>>>(partials.as<double>(), blocks, result);
    cuda_check_launch("sum of squares");
    double host = 0.0;
    cuda_check(cudaMemcpyAsync(&host, result, sizeof host, cudaMemcpyDeviceToHost, device.stream), "sum of squares");
    cuda_check(cudaStreamSynchronize(device.stream), "sum of squares");
    return host;
}

}  // namespace kgen
