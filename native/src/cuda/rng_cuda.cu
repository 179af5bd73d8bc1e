// Philox-driven elementwise kernels: normal and uniform fills, and the particle update. A thread
// takes one Philox block of four elements at a time, so each draw is computed once; the bits are
// those of the CPU backend and the Java twin (see common/philox.h).
#include "../common/particle_update.h"
#include "../common/philox.h"
#include "cuda_common.h"

namespace kgen {
namespace {

// Calls visit(b) for every Philox block b that holds one of the elements offset + i, i < count.
// Blocks are counted from the first one, so a range that wraps past 2^64 works as on the CPU.
template <typename Visit>
__device__ __forceinline__ void for_each_block(uint64_t offset, int64_t count, Visit visit) {
    const uint64_t blocks = ((offset & 3) + (uint64_t)count + 3) >> 2;
    for (uint64_t i = blockIdx.x * (uint64_t)blockDim.x + threadIdx.x; i < blocks;
         i += (uint64_t)gridDim.x * blockDim.x) {
        visit(((offset >> 2) + i) & ((1ull << 62) - 1));
    }
}

// The output index of lane `lane` of block b, or -1 when that element is outside the range.
__device__ __forceinline__ int64_t element_index(uint64_t b, int lane, uint64_t offset, int64_t count) {
    const uint64_t relative = b * 4 + lane - offset;  // modulo 2^64, like offset + i on the CPU
    return relative < (uint64_t)count ? (int64_t)relative : -1;
}

template <bool Normal>
__global__ void philox_fill_kernel(uint64_t seed, uint64_t stream, uint64_t offset, float* out,
                                   int64_t count) {
    for_each_block(offset, count, [&](uint64_t b) {
        float values[4];
        if (Normal) {
            normal_block(seed, b, stream, values);
        } else {
            PhiloxBlock bits = philox4x32_10(seed, b, stream);
            for (int lane = 0; lane < 4; ++lane) values[lane] = uniform_from_bits(bits.v[lane]);
        }
        for (int lane = 0; lane < 4; ++lane) {
            const int64_t i = element_index(b, lane, offset, count);
            if (i >= 0) out[i] = values[lane];
        }
    });
}

__global__ void particle_update_kernel(ParticleUpdate u) {
    for_each_block(u.offset, u.count, [&](uint64_t b) {
        float z[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        if (u.noise != 0.0f) normal_block(u.seed, b, u.stream, z);
        for (int lane = 0; lane < 4; ++lane) {
            const int64_t i = element_index(b, lane, u.offset, u.count);
            if (i >= 0) u.x[i] = updated_element(u, i, z[lane]);
        }
    });
}

unsigned philox_blocks(uint64_t offset, int64_t count, int threads) {
    return blocks_for(((int64_t)(offset & 3) + count + 3) / 4, threads);
}

template <bool Normal>
void philox_fill(const CudaDevice& device, uint64_t seed, uint64_t stream, uint64_t offset,
                 float* out, int64_t count) {
    const DeviceScope scope(device);
    const int threads = 256;
    KGEN_LAUNCH(philox_blocks(offset, count, threads), threads, 0, device.stream, philox_fill_kernel<Normal>)(
        seed, stream, offset, out, count);
    cuda_check_launch(Normal ? "normal fill" : "uniform fill");
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

void cuda_particle_update(const CudaDevice& device, const ParticleUpdate& update) {
    const DeviceScope scope(device);
    const int threads = 256;
    KGEN_LAUNCH(philox_blocks(update.offset, update.count, threads), threads, 0, device.stream, particle_update_kernel)(update);
    cuda_check_launch("particle update");
}

}  // namespace kgen
