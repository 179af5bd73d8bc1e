// Philox fills on the GPU: a thread per Philox block of four elements, the same bits as the CPU
// backend and the Java twin (see common/philox.h).
#include "../common/philox.h"
#include "cuda_common.h"

namespace kgen {
namespace {

template <bool Normal>
__global__ void philox_fill_kernel(uint64_t seed, uint64_t stream, uint64_t offset, float* out,
                                   int64_t count) {
    const uint64_t first_block = offset >> 2;
    const uint64_t last_block = (offset + (uint64_t)count - 1) >> 2;
    for (uint64_t b = first_block + blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; b <= last_block;
         b += (uint64_t)gridDim.x * blockDim.x) {
        PhiloxBlock bits = philox4x32_10(seed, b, stream);
        float values[4];
        if (Normal) {
            normal_pair(bits.v[0], bits.v[1], values[0], values[1]);
            normal_pair(bits.v[2], bits.v[3], values[2], values[3]);
        } else {
            for (int lane = 0; lane < 4; ++lane) values[lane] = uniform_from_bits(bits.v[lane]);
        }
        for (int lane = 0; lane < 4; ++lane) {
            const uint64_t element = b * 4 + lane;
            if (element >= offset && element - offset < (uint64_t)count) out[element - offset] = values[lane];
        }
    }
}

template <bool Normal>
void philox_fill(const CudaDevice& device, uint64_t seed, uint64_t stream, uint64_t offset,
                 float* out, int64_t count) {
    cuda_check(cudaSetDevice(device.index), "cudaSetDevice");
    const int threads = 256;
    const int64_t blocks_needed = ((offset & 3) + count + 3) / 4;
    philox_fill_kernel<Normal><<<blocks_for(blocks_needed, threads), threads, 0, device.stream>>>(
        seed, stream, offset, out, count);
    cuda_check_launch(Normal ? "normal fill" : "uniform fill");
    cuda_check(cudaStreamSynchronize(device.stream), Normal ? "normal fill" : "uniform fill");
}

}  // namespace

void cuda_normal_fill(const CudaDevice& device, uint64_t seed, uint64_t stream, uint64_t offset,
                      float* out, int64_t count) {
    philox_fill<true>(device, seed, stream, offset, out, count);
}

void cuda_uniform_fill(const CudaDevice& device, uint64_t seed, uint64_t stream, uint64_t offset,
                       float* out, int64_t count) {
    philox_fill<false>(device, seed, stream, offset, out, count);
}

}  // namespace kgen
