// The CUDA emulation's runtime API (cuda_runtime.h beside this file): device memory is host
// memory, streams are always idle (launches and copies complete before they return), devices
// whose count and SM count the tests choose, and a sticky fault the tests can inject.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <map>
#include <mutex>

#include "cuda_runtime.h"

namespace {

thread_local cudaError_t last_error = cudaSuccess;
thread_local int current_device = 0;
std::atomic<cudaError_t> sticky_error{cudaSuccess};
std::mutex memory_mutex;
std::map<void*, size_t> allocations;
size_t allocated_bytes = 0;
constexpr size_t kEmulatedMemory = size_t(4) << 30;

// KGEN_EMULATION_DEVICES: how many devices the emulation offers (1 by default).
unsigned kgen_emulation_device_count() {
    const char* text = std::getenv("KGEN_EMULATION_DEVICES");
    return text ? (unsigned)std::strtoul(text, nullptr, 10) : 1u;
}

cudaError_t fail(cudaError_t error) {
    last_error = error;
    return error;
}

// The sticky fault, if one was injected: every call that can fail returns it.
#define KGEN_EMULATION_STICKY()                                   \
    do {                                                          \
        if (cudaError_t e = sticky_error.load()) return fail(e); \
    } while (0)

}  // namespace

cudaError_t cudaGetDeviceCount(int* count) {
    *count = (int)kgen_emulation_device_count();
    return cudaSuccess;
}

// The current device is per host thread, as in the CUDA runtime.
cudaError_t cudaSetDevice(int device) {
    if (device < 0 || device >= (int)kgen_emulation_device_count()) return fail(cudaErrorInvalidDevice);
    current_device = device;
    return cudaSuccess;
}

cudaError_t cudaGetDevice(int* device) {
    *device = current_device;
    return cudaSuccess;
}

void kgen_emulation::inject_sticky_fault(cudaError_t error) { sticky_error = error; }

// A reset ends the fault and, as on a GPU, frees every allocation of the device.
cudaError_t cudaDeviceReset() {
    sticky_error = cudaSuccess;
    last_error = cudaSuccess;
    std::lock_guard<std::mutex> hold(memory_mutex);
    for (auto& allocation : allocations) std::free(allocation.first);
    allocations.clear();
    allocated_bytes = 0;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int device) {
    if (device < 0 || device >= (int)kgen_emulation_device_count()) return fail(cudaErrorInvalidDevice);
    std::memset(p, 0, sizeof *p);
    std::snprintf(p->name, sizeof p->name, "kgen CUDA emulation (host threads)");
    p->totalGlobalMem = kEmulatedMemory;
    p->major = 9;
    p->minor = 0;
    // KGEN_EMULATION_SMS: the SM count the split planners see (2, 114, 132, ...).
    p->multiProcessorCount = (int)std::max(1u, (unsigned)std::strtoul(
        std::getenv("KGEN_EMULATION_SMS") ? std::getenv("KGEN_EMULATION_SMS") : "4", nullptr, 10));
    p->maxThreadsPerBlock = 1024;
    p->sharedMemPerBlock = 48 * 1024;
    return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int* version) {
    *version = 13000;
    return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int* version) {
    *version = 13000;
    return cudaSuccess;
}

cudaError_t cudaGetLastError() {
    KGEN_EMULATION_STICKY();  // a sticky fault is not cleared by reading it
    cudaError_t e = last_error;
    last_error = cudaSuccess;
    return e;
}

cudaError_t cudaPeekAtLastError() {
    KGEN_EMULATION_STICKY();
    return last_error;
}

const char* cudaGetErrorName(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
        case cudaErrorIllegalAddress: return "cudaErrorIllegalAddress";
        default: return "cudaErrorLaunchFailure";
    }
}

const char* cudaGetErrorString(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInvalidDevice: return "invalid device ordinal";
        case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
        default: return "unspecified launch failure";
    }
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned) {
    *stream = reinterpret_cast<cudaStream_t>(new char[1]);
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
    delete[] reinterpret_cast<char*>(stream);
    return cudaSuccess;
}

// Launches and copies complete before they return: a stream is always idle.
cudaError_t cudaStreamSynchronize(cudaStream_t) {
    KGEN_EMULATION_STICKY();
    return cudaSuccess;
}
cudaError_t cudaDeviceSynchronize() {
    KGEN_EMULATION_STICKY();
    return cudaSuccess;
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned) {
    *event = reinterpret_cast<cudaEvent_t>(new char[1]);
    return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
    delete[] reinterpret_cast<char*>(event);
    return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t) {
    KGEN_EMULATION_STICKY();
    return event == nullptr ? cudaErrorInvalidValue : cudaSuccess;
}

cudaError_t cudaStreamWaitEvent(cudaStream_t, cudaEvent_t event, unsigned) {
    KGEN_EMULATION_STICKY();
    return event == nullptr ? cudaErrorInvalidValue : cudaSuccess;
}

cudaError_t cudaMalloc(void** pointer, size_t bytes) {
    KGEN_EMULATION_STICKY();
    std::lock_guard<std::mutex> hold(memory_mutex);
    *pointer = nullptr;
    if (bytes > kEmulatedMemory - allocated_bytes) return fail(cudaErrorMemoryAllocation);
    void* p = std::aligned_alloc(256, (bytes + 255) / 256 * 256 + 256);
    if (!p) return fail(cudaErrorMemoryAllocation);
    allocations[p] = bytes;
    allocated_bytes += bytes;
    *pointer = p;
    return cudaSuccess;
}

cudaError_t cudaFree(void* pointer) {
    KGEN_EMULATION_STICKY();
    if (pointer == nullptr) return cudaSuccess;
    std::lock_guard<std::mutex> hold(memory_mutex);
    auto found = allocations.find(pointer);
    if (found == allocations.end()) return fail(cudaErrorInvalidValue);
    allocated_bytes -= found->second;
    allocations.erase(found);
    std::free(pointer);
    return cudaSuccess;
}

cudaError_t cudaMallocAsync(void** pointer, size_t bytes, cudaStream_t) { return cudaMalloc(pointer, bytes); }
cudaError_t cudaFreeAsync(void* pointer, cudaStream_t) { return cudaFree(pointer); }

cudaError_t cudaMemPoolCreate(cudaMemPool_t* pool, const cudaMemPoolProps* props) {
    KGEN_EMULATION_STICKY();
    if (props->location.id < 0 || props->location.id >= (int)kgen_emulation_device_count()) {
        return fail(cudaErrorInvalidDevice);
    }
    *pool = reinterpret_cast<cudaMemPool_t>(new char[1]);
    return cudaSuccess;
}

cudaError_t cudaMemPoolDestroy(cudaMemPool_t pool) {
    delete[] reinterpret_cast<char*>(pool);
    return cudaSuccess;
}

cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t pool, cudaMemPoolAttr, void* value) {
    KGEN_EMULATION_STICKY();
    return pool == nullptr || value == nullptr ? fail(cudaErrorInvalidValue) : cudaSuccess;
}

cudaError_t cudaMallocFromPoolAsync(void** pointer, size_t bytes, cudaMemPool_t pool, cudaStream_t) {
    if (pool == nullptr) return fail(cudaErrorInvalidValue);
    return cudaMalloc(pointer, bytes);
}

cudaError_t kgen_emulation_occupancy(int* blocks, int block_threads) {
    if (block_threads <= 0 || block_threads > 1024) return fail(cudaErrorInvalidValue);
    *blocks = std::max(1, 1024 / block_threads);
    return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
    std::lock_guard<std::mutex> hold(memory_mutex);
    *total_bytes = kEmulatedMemory;
    *free_bytes = kEmulatedMemory - allocated_bytes;
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind) {
    KGEN_EMULATION_STICKY();
    std::memmove(dst, src, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
    return cudaMemcpy(dst, src, bytes, kind);
}

cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t) {
    KGEN_EMULATION_STICKY();
    std::memset(dst, value, bytes);
    return cudaSuccess;
}
