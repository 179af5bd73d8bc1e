// What the CUDA sources share: error checks that throw kgen::Error with the CUDA text, the
// per-context device state, and stream-ordered scratch memory from the context's own pool.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "../backend.h"
#include "../errors.h"
#include "value_checks.cuh"

// A kernel launch: KGEN_LAUNCH(grid, block, shared_bytes, stream, kernel)(arguments). Written as
// a macro so that the emulation tier (tests/emulation) can run the same sources on the host.
#ifndef KGEN_LAUNCH
#define KGEN_LAUNCH(grid, block, shared_bytes, stream, ...) __VA_ARGS__<<<grid, block, shared_bytes, stream>>>
#endif

namespace kgen {

// Faults that leave the device's CUDA context unusable until it is reset: every later runtime
// call in the process reports them again.
inline bool is_sticky(cudaError_t status) {
    switch (status) {
        case cudaErrorIllegalAddress:
        case cudaErrorLaunchTimeout:
        case cudaErrorAssert:
        case cudaErrorHardwareStackError:
        case cudaErrorIllegalInstruction:
        case cudaErrorMisalignedAddress:
        case cudaErrorInvalidAddressSpace:
        case cudaErrorInvalidPc:
        case cudaErrorLaunchFailure:
            return true;
        default:
            return false;
    }
}

inline void cuda_check(cudaError_t status, const char* what) {
    if (status == cudaSuccess) return;
    std::string message = std::string(what) + ": " + cudaGetErrorName(status) + ": " +
                          cudaGetErrorString(status);
    if (is_sticky(status)) {
        throw context_lost(message + " (a device fault: the CUDA context is lost; destroy this kgen "
                                     "context and create a new one)");
    }
    cudaGetLastError();  // clear a non-sticky error so the next call starts clean
    if (status == cudaErrorMemoryAllocation) throw out_of_memory(message);
    throw device_error(message);
}

// Launch errors surface through cudaGetLastError right after the launch.
inline void cuda_check_launch(const char* kernel) { cuda_check(cudaGetLastError(), kernel); }

// How the tensor-core kernel sums multiply (kernel_sums_tensor.h): three tf32 passes (hi/lo split,
// about float32's accuracy) or one.
enum class TensorPrecision { k3xTf32, kTf32 };

struct CudaDevice {
    int index = 0;
    int sm_count = 0;
    cudaStream_t stream = nullptr;
    TensorPrecision precision = TensorPrecision::k3xTf32;
    // Scratch comes from here. Its release threshold is the largest there is, so memory freed at
    // the end of one operation stays mapped for the next instead of going back at each sync.
    cudaMemPool_t pool = nullptr;
    DeferredChecks* checks = nullptr;  // the weights and bandwidths checks run on the device
};

// Makes the context's device current for one operation, then gives the calling thread back the
// device it had: an operation must not change the caller's CUDA state.
class DeviceScope {
public:
    explicit DeviceScope(int index) {
        cuda_check(cudaGetDevice(&previous_), "cudaGetDevice");
        if (previous_ == index) {
            previous_ = -1;
        } else {
            cuda_check(cudaSetDevice(index), "cudaSetDevice");
        }
    }
    explicit DeviceScope(const CudaDevice& device) : DeviceScope(device.index) {}
    ~DeviceScope() {
        if (previous_ >= 0 && cudaSetDevice(previous_) != cudaSuccess) cudaGetLastError();
    }
    DeviceScope(const DeviceScope&) = delete;
    DeviceScope& operator=(const DeviceScope&) = delete;

private:
    int previous_ = -1;
};

// Device memory that lives for one operation, allocated and freed in stream order from the
// context's pool: after the first call of a size, neither costs a device allocation.
class Scratch {
public:
    Scratch(const CudaDevice& device, size_t bytes) : stream_(device.stream) {
        cuda_check(cudaMallocFromPoolAsync(&pointer_, bytes, device.pool, stream_),
                   ("allocating " + std::to_string(bytes) + " bytes of device scratch").c_str());
    }
    ~Scratch() {
        // A failed free must not linger as the error of some later, unrelated launch.
        if (pointer_ && cudaFreeAsync(pointer_, stream_) != cudaSuccess) cudaGetLastError();
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    template <typename T>
    T* as() const { return static_cast<T*>(pointer_); }

private:
    void* pointer_ = nullptr;
    cudaStream_t stream_;
};

// Blocks of `kernel` that one SM holds at once with `threads` threads each, as the occupancy API
// computes it from the kernel's registers and shared memory (at least 1): the planners size their
// grids in whole waves of device.sm_count times this.
template <typename Kernel>
int64_t resident_blocks(Kernel kernel, int threads, size_t dynamic_shared = 0) {
    int blocks = 0;
    cuda_check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kernel, threads, dynamic_shared),
               "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
    return blocks < 1 ? 1 : blocks;
}

inline unsigned blocks_for(int64_t work, int threads) {
    int64_t blocks = (work + threads - 1) / threads;
    return (unsigned)(blocks < 1 ? 1 : (blocks > 65535LL * 16 ? 65535LL * 16 : blocks));
}

// The kernel-sum reductions (kernel_sums_cuda.cu, with the kernels of kernel_sums_low_d.cu and
// kernel_sums_any_d.cu).
void cuda_reduce(const CudaDevice& device, const Reduction& problem, const Epilogue& out);
void cuda_reduce_partial(const CudaDevice& device, const Reduction& problem, const Partial& out);
void cuda_merge_partial(const CudaDevice& device, int64_t m, int64_t d, const Partial& a,
                        const ConstPartial& b);
void cuda_finalize_partial(const CudaDevice& device, int64_t m, int64_t d, const ConstPartial& state,
                           const Epilogue& out);

// Kernel-free pairwise reductions (pairwise_cuda.cu).
void cuda_nearest_two(const CudaDevice& device, const Pairs& pairs, float* distances, int64_t* indices);
void cuda_distance_sum(const CudaDevice& device, const Pairs& pairs, float* sums);

// Row-wise helpers and the value scan behind kgen_scan (rows_cuda.cu).
ScanResult cuda_scan(const CudaDevice& device, const float* values, int64_t count, float lower);
void cuda_row_update(const CudaDevice& device, float* y, const float* a, const float* x, const float* scale,
                     int64_t m, int64_t d);
double cuda_sum_squares(const CudaDevice& device, const float* values, int64_t count);

// Philox fills and the particle update (rng_cuda.cu).
void cuda_normal_fill(const CudaDevice& device, uint64_t seed, uint64_t stream, uint64_t offset,
                      float* out, int64_t count);
void cuda_uniform_fill(const CudaDevice& device, uint64_t seed, uint64_t stream, uint64_t offset,
                       float* out, int64_t count);
void cuda_particle_update(const CudaDevice& device, const ParticleUpdate& update);

}  // namespace kgen
