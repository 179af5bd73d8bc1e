// The CUDA backend: one device, one stream and one scratch pool per context; context memory is
// device memory. Operations only enqueue work: the calls that wait for the device are the copies
// (the ABI promises a copy complete on return), kgen_synchronize and the scans and sums that
// return a value, and each of them reports the weights and bandwidths checks that failed on the
// device since the last one (value_checks.cuh).
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include "cuda_common.h"
#include "kernel_sums_tensor.h"

#ifndef KGEN_CUDA_ARCHITECTURES
#define KGEN_CUDA_ARCHITECTURES "unknown"
#endif

namespace kgen {
namespace {

__global__ void fill_kernel(float* dst, float value, int64_t count) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < count;
         i += (int64_t)gridDim.x * blockDim.x) {
        dst[i] = value;
    }
}

// How many contexts of this library live on each device: a device whose CUDA context was lost to
// a fault is reset only when none does, since a reset frees every allocation on it.
class LiveContexts {
public:
    // Makes the device usable for one more context: resets it first if a fault left it lost
    // and no other context of ours is on it.
    void open(int index) {
        std::lock_guard<std::mutex> hold(lock_);
        int previous = 0;
        cudaGetDevice(&previous);
        cudaError_t status = initialise(index);
        if (is_sticky(status) && counts_[index] == 0) {
            cudaDeviceReset();  // the current device: initialise made it `index`
            status = initialise(index);
        }
        cudaSetDevice(previous);
        cuda_check(status, "initialising the CUDA context");
        ++counts_[index];
    }
    void close(int index) {
        std::lock_guard<std::mutex> hold(lock_);
        --counts_[index];
    }

private:
    // Makes `index` current and its CUDA context live; a fault left behind shows here.
    static cudaError_t initialise(int index) {
        cudaError_t status = cudaSetDevice(index);
        return status == cudaSuccess ? cudaFree(nullptr) : status;
    }

    std::mutex lock_;
    std::map<int, int> counts_;
};

LiveContexts& live_contexts() {
    static LiveContexts contexts;
    return contexts;
}

class CudaBackend final : public Backend {
public:
    explicit CudaBackend(int index) {
        int count = cuda_device_count();
        if (index >= count) {
            throw unavailable("CUDA device " + std::to_string(index) + " is not available (" +
                              std::to_string(count) + " usable device(s))");
        }
        device_.index = index;
        device_.precision = tensor_precision_from_environment();
        live_contexts().open(index);
        try {
            const DeviceScope scope(index);
            cuda_check(cudaGetDeviceProperties(&properties_, index), "cudaGetDeviceProperties");
            device_.sm_count = properties_.multiProcessorCount;
            cuda_check(cudaStreamCreateWithFlags(&device_.stream, cudaStreamNonBlocking), "cudaStreamCreate");
            device_.pool = create_pool(index);
            device_.checks = new DeferredChecks(device_.stream);
        } catch (...) {
            release_device_state();
            live_contexts().close(index);
            throw;
        }
    }

    // Never throws: on a lost context the calls below fail, and there is nothing left to keep.
    ~CudaBackend() override {
        int previous = -1;
        if (cudaGetDevice(&previous) == cudaSuccess && previous != device_.index) cudaSetDevice(device_.index);
        release_device_state();
        if (previous >= 0 && previous != device_.index) cudaSetDevice(previous);
        cudaGetLastError();
        live_contexts().close(device_.index);
    }

    std::string describe() override {
        int driver = 0, runtime = 0;
        cudaDriverGetVersion(&driver);
        cudaRuntimeGetVersion(&runtime);
        char text[512];
        std::snprintf(text, sizeof text,
                      "CUDA device %d: %s, compute capability %d.%d, %d SMs, %.1f GiB, driver %d.%d, "
                      "runtime %d.%d, kernels for %s",
                      device_.index, properties_.name, properties_.major, properties_.minor,
                      properties_.multiProcessorCount,
                      (double)properties_.totalGlobalMem / (1024.0 * 1024.0 * 1024.0), driver / 1000,
                      (driver % 1000) / 10, runtime / 1000, (runtime % 1000) / 10,
                      KGEN_CUDA_ARCHITECTURES);
        return text;
    }

    bool defers_value_checks() const override { return true; }

    void synchronize() override {
        const DeviceScope scope(device_);
        device_.checks->wait("cudaStreamSynchronize");
    }

    void wait_event(void* event) override {
        const DeviceScope scope(device_);
        cuda_check(cudaStreamWaitEvent(device_.stream, static_cast<cudaEvent_t>(event), 0), "cudaStreamWaitEvent");
    }

    void wait_stream(void* stream) override {
        // An event recorded on the caller's stream now marks everything queued there so far; the
        // wait is enqueued before the event is destroyed, which CUDA allows.
        const DeviceScope scope(device_);
        cudaEvent_t mark = nullptr;
        cuda_check(cudaEventCreateWithFlags(&mark, cudaEventDisableTiming), "cudaEventCreateWithFlags");
        cudaError_t recorded = cudaEventRecord(mark, static_cast<cudaStream_t>(stream));
        cudaError_t waited = recorded == cudaSuccess ? cudaStreamWaitEvent(device_.stream, mark, 0) : recorded;
        cudaEventDestroy(mark);
        cuda_check(recorded, "cudaEventRecord on the caller's stream");
        cuda_check(waited, "cudaStreamWaitEvent");
    }

    void record_event(void* event) override {
        const DeviceScope scope(device_);
        cuda_check(cudaEventRecord(static_cast<cudaEvent_t>(event), device_.stream), "cudaEventRecord");
    }

    void* alloc(size_t bytes) override {
        const DeviceScope scope(device_);
        void* p = nullptr;
        cudaError_t status = cudaMalloc(&p, bytes);
        if (status == cudaErrorMemoryAllocation) {
            cudaGetLastError();
            size_t free_bytes = 0, total = 0;
            cudaMemGetInfo(&free_bytes, &total);
            throw out_of_memory("cannot allocate " + std::to_string(bytes) + " bytes on CUDA device " +
                                std::to_string(device_.index) + " (" + std::to_string(free_bytes) +
                                " bytes free)");
        }
        cuda_check(status, "cudaMalloc");
        return p;
    }

    void release(void* pointer) override {
        const DeviceScope scope(device_);
        cuda_check(cudaFree(pointer), "cudaFree");
    }

    void memory_info(size_t* free_bytes, size_t* total_bytes) override {
        const DeviceScope scope(device_);
        cuda_check(cudaMemGetInfo(free_bytes, total_bytes), "cudaMemGetInfo");
    }

    void copy_to_context(void* dst, const void* src, size_t bytes) override {
        copy(dst, src, bytes, cudaMemcpyHostToDevice, "copy to device");
    }
    void copy_to_host(void* dst, const void* src, size_t bytes) override {
        copy(dst, src, bytes, cudaMemcpyDeviceToHost, "copy to host");
    }
    void copy_within(void* dst, const void* src, size_t bytes) override {
        copy(dst, src, bytes, cudaMemcpyDeviceToDevice, "copy on device");
    }

    void fill(float* dst, float value, int64_t count) override {
        const DeviceScope scope(device_);
        KGEN_LAUNCH(blocks_for(count, 256), 256, 0, device_.stream, fill_kernel)(dst, value, count);
        cuda_check_launch("fill");
    }

    ScanResult scan(const float* values, int64_t count, float lower) override {
        return cuda_scan(device_, values, count, lower);
    }

    void reduce(const Reduction& p, const Epilogue& out) override { cuda_reduce(device_, p, out); }
    void reduce_partial(const Reduction& p, const Partial& out) override {
        cuda_reduce_partial(device_, p, out);
    }
    void merge_partial(int64_t m, int64_t d, const Partial& a, const ConstPartial& b) override {
        cuda_merge_partial(device_, m, d, a, b);
    }
    void finalize_partial(int64_t m, int64_t d, const ConstPartial& state, const Epilogue& out) override {
        cuda_finalize_partial(device_, m, d, state, out);
    }

    void normal_fill(uint64_t seed, uint64_t stream, uint64_t offset, float* out,
                     int64_t count) override {
        cuda_normal_fill(device_, seed, stream, offset, out, count);
    }
    void uniform_fill(uint64_t seed, uint64_t stream, uint64_t offset, float* out,
                      int64_t count) override {
        cuda_uniform_fill(device_, seed, stream, offset, out, count);
    }

    void particle_update(const ParticleUpdate& update) override { cuda_particle_update(device_, update); }

    void row_update(float* y, const float* a, const float* x, const float* s, int64_t m, int64_t d) override {
        cuda_row_update(device_, y, a, x, s, m, d);
    }
    double sum_squares(const float* values, int64_t count) override { return cuda_sum_squares(device_, values, count); }

    void nearest_two(const Pairs& p, float* distances, int64_t* indices) override {
        cuda_nearest_two(device_, p, distances, indices);
    }
    void distance_sum(const Pairs& p, float* sums) override { cuda_distance_sum(device_, p, sums); }

private:
    // A copy with host memory is complete when this returns (the host buffer may be pinned, so
    // the runtime need not have staged it); one within the device is ordered before every later
    // operation of the context, which is all that can see it.
    void copy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, const char* what) {
        const DeviceScope scope(device_);
        cuda_check(cudaMemcpyAsync(dst, src, bytes, kind, device_.stream), what);
        if (kind != cudaMemcpyDeviceToDevice) device_.checks->wait(what);
    }

    // A pool of our own, so that its release threshold is ours to set and a caller's use of the
    // device's default pool is left as it was.
    static cudaMemPool_t create_pool(int index) {
        cudaMemPoolProps props{};
        props.allocType = cudaMemAllocationTypePinned;
        props.location.type = cudaMemLocationTypeDevice;
        props.location.id = index;
        cudaMemPool_t pool = nullptr;
        cuda_check(cudaMemPoolCreate(&pool, &props), "cudaMemPoolCreate");
        uint64_t keep_all = UINT64_MAX;
        cudaError_t set = cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep_all);
        if (set != cudaSuccess) cudaMemPoolDestroy(pool);
        cuda_check(set, "cudaMemPoolSetAttribute");
        return pool;
    }

    // Never throws: used on the way out of a failed constructor and by the destructor.
    void release_device_state() {
        if (device_.stream) cudaStreamSynchronize(device_.stream);
        delete device_.checks;
        device_.checks = nullptr;
        if (device_.pool) cudaMemPoolDestroy(device_.pool);
        device_.pool = nullptr;
        if (device_.stream) cudaStreamDestroy(device_.stream);
        device_.stream = nullptr;
    }

    CudaDevice device_;
    cudaDeviceProp properties_{};
};

}  // namespace

Backend* create_cuda_backend(int device) { return new CudaBackend(device); }

int cuda_device_count() {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) {
        cudaGetLastError();  // no driver or no device: not an error, just none
        return 0;
    }
    return count;
}

}  // namespace kgen
