// The CUDA emulation's launch machinery and runtime (cuda_runtime.h beside this file).
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <mutex>
#include <numeric>
#include <random>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cuda_runtime.h"

thread_local dim3 threadIdx;
thread_local dim3 blockIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

namespace kgen_emulation {
namespace {

// A barrier over the threads still running: a thread that returns stops counting, as on the GPU.
struct Barrier {
    std::mutex mutex;
    std::condition_variable released;
    unsigned alive = 0;
    unsigned arrived = 0;
    uint64_t generation = 0;

    void wait(std::unique_lock<std::mutex>& held) {
        const uint64_t mine = generation;
        if (++arrived == alive) {
            release();
        } else {
            released.wait(held, [&] { return generation != mine; });
        }
    }

    void wait() {
        std::unique_lock<std::mutex> held(mutex);
        wait(held);
    }

    void leave() {
        std::unique_lock<std::mutex> held(mutex);
        --alive;
        if (arrived > 0 && arrived == alive) release();
    }

private:
    void release() {
        arrived = 0;
        ++generation;
        released.notify_all();
    }
};

struct Warp : Barrier {
    uint64_t slots[32] = {};
};

struct Block {
    Barrier barrier;
    std::vector<Warp> warps;
};

thread_local Block* current_block = nullptr;
thread_local unsigned current_thread = 0;

Warp& current_warp() { return current_block->warps[current_thread / 32]; }

std::mutex launch_mutex;  // one launch at a time: __shared__ statics have one copy

unsigned env_unsigned(const char* name, unsigned fallback) {
    const char* text = std::getenv(name);
    return text ? (unsigned)std::strtoul(text, nullptr, 10) : fallback;
}

// The order blocks run in: KGEN_EMULATION_BLOCK_ORDER = forward (default), reverse, or shuffle
// (seeded by KGEN_EMULATION_SEED), so a kernel that depends on block order fails.
std::vector<unsigned> block_order(unsigned count) {
    std::vector<unsigned> order(count);
    std::iota(order.begin(), order.end(), 0u);
    const char* mode = std::getenv("KGEN_EMULATION_BLOCK_ORDER");
    if (mode && std::strcmp(mode, "reverse") == 0) std::reverse(order.begin(), order.end());
    if (mode && std::strcmp(mode, "shuffle") == 0) {
        std::mt19937_64 random(env_unsigned("KGEN_EMULATION_SEED", 1));
        std::shuffle(order.begin(), order.end(), random);
    }
    return order;
}

}  // namespace

void sync_block() { current_block->barrier.wait(); }

void sync_warp() { current_warp().wait(); }

unsigned lane_id() { return current_thread % 32; }

uint64_t exchange(uint64_t mine, unsigned lane) {
    Warp& warp = current_warp();
    std::unique_lock<std::mutex> held(warp.mutex);
    warp.slots[lane_id()] = mine;
    warp.wait(held);  // every lane has offered its word
    const uint64_t theirs = warp.slots[lane % 32];
    warp.wait(held);  // every lane has read before any lane offers again
    return theirs;
}

void run_grid(dim3 grid, dim3 block, void* launch, BlockBody body) {
    std::lock_guard<std::mutex> one_launch(launch_mutex);
    const unsigned threads = block.x * block.y * block.z;
    const unsigned blocks = grid.x * grid.y * grid.z;
    for (unsigned b : block_order(blocks)) {
        Block state;
        state.barrier.alive = threads;
        state.warps = std::vector<Warp>((threads + 31) / 32);
        for (unsigned w = 0; w < state.warps.size(); ++w) state.warps[w].alive = std::min(32u, threads - 32 * w);
        const dim3 at(b % grid.x, b / grid.x % grid.y, b / (grid.x * grid.y));
        std::vector<std::thread> running;
        running.reserve(threads);
        for (unsigned t = 0; t < threads; ++t) {
            running.emplace_back([&, t] {
                current_block = &state;
                current_thread = t;
                threadIdx = dim3(t % block.x, t / block.x % block.y, t / (block.x * block.y));
                blockIdx = at;
                blockDim = block;
                gridDim = grid;
                body(launch);
                current_warp().leave();
                state.barrier.leave();
            });
        }
        for (std::thread& t : running) t.join();
    }
}

}  // namespace kgen_emulation

// ---- the runtime ----------------------------------------------------------------------------

namespace {

thread_local cudaError_t last_error = cudaSuccess;
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

}  // namespace

cudaError_t cudaGetDeviceCount(int* count) {
    *count = (int)kgen_emulation_device_count();
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
    return device >= 0 && device < (int)kgen_emulation_device_count() ? cudaSuccess : fail(cudaErrorInvalidDevice);
}

cudaError_t cudaGetDevice(int* device) {
    *device = 0;
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
    cudaError_t e = last_error;
    last_error = cudaSuccess;
    return e;
}

cudaError_t cudaPeekAtLastError() { return last_error; }

const char* cudaGetErrorName(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
        default: return "cudaErrorLaunchFailure";
    }
}

const char* cudaGetErrorString(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInvalidDevice: return "invalid device ordinal";
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
cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

cudaError_t cudaMalloc(void** pointer, size_t bytes) {
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

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
    std::lock_guard<std::mutex> hold(memory_mutex);
    *total_bytes = kEmulatedMemory;
    *free_bytes = kEmulatedMemory - allocated_bytes;
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind) {
    std::memmove(dst, src, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
    return cudaMemcpy(dst, src, bytes, kind);
}

cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t) {
    std::memset(dst, value, bytes);
    return cudaSuccess;
}
