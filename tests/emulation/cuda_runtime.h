// The CUDA emulation: what kgen's .cu sources use of the CUDA language and runtime, implemented
// on the host so that the real kernel bodies run on the CPU (see README.md beside this file).
//
// Model: a launch runs its blocks one after another (in grid order, reversed, or shuffled); a
// block runs each of its CUDA threads as a host thread. __syncthreads and __syncwarp are real
// barriers (a mutex and a condition variable, so ThreadSanitizer sees their happens-before and a
// missing barrier shows as a race); threads that have returned no longer count, as on the GPU.
// __shared__ variables are function statics: one copy, used by the one block that runs at a time.
// Launches are serialised process-wide for the same reason.
#pragma once

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// Sources that need a host version of a device-only operation (native/src/cuda/mma.cuh) test it.
#define KGEN_EMULATION 1

// ---- the language ---------------------------------------------------------------------------

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)
#define __align__(bytes) __attribute__((aligned(bytes)))

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
using uint3 = dim3;

extern thread_local dim3 threadIdx;
extern thread_local dim3 blockIdx;
extern thread_local dim3 blockDim;
extern thread_local dim3 gridDim;

namespace kgen_emulation {

void sync_block();
void sync_warp();
// Lane `lane`'s 8-byte word, after every lane of the warp has offered its own.
uint64_t exchange(uint64_t mine, unsigned lane);
// Every lane's `count` words (count <= 8) into all[lane * count + i], after all lanes have offered
// theirs: one round for what `exchange` would move in 32 count.
void gather(const uint32_t* mine, int count, uint32_t* all);
unsigned lane_id();

template <typename T>
uint64_t to_word(T v) {
    static_assert(sizeof(T) <= 8, "shuffles move at most 8 bytes");
    uint64_t w = 0;
    memcpy(&w, &v, sizeof v);
    return w;
}

template <typename T>
T from_word(uint64_t w) {
    T v;
    memcpy(&v, &w, sizeof v);
    return v;
}

}  // namespace kgen_emulation

inline void __syncthreads() { kgen_emulation::sync_block(); }
inline void __syncwarp(unsigned = 0xffffffffu) { kgen_emulation::sync_warp(); }

template <typename T>
T __shfl_xor_sync(unsigned, T value, int lane_mask, int width = 32) {
    unsigned lane = kgen_emulation::lane_id();
    unsigned partner = (lane ^ (unsigned)lane_mask) % (unsigned)width + lane / (unsigned)width * (unsigned)width;
    return kgen_emulation::from_word<T>(kgen_emulation::exchange(kgen_emulation::to_word(value), partner));
}

template <typename T>
T __shfl_down_sync(unsigned, T value, unsigned delta, int width = 32) {
    unsigned lane = kgen_emulation::lane_id();
    unsigned partner = lane % (unsigned)width + delta < (unsigned)width ? lane + delta : lane;
    return kgen_emulation::from_word<T>(kgen_emulation::exchange(kgen_emulation::to_word(value), partner));
}

template <typename T>
T __shfl_sync(unsigned, T value, int source, int width = 32) {
    unsigned lane = kgen_emulation::lane_id();
    unsigned partner = lane / (unsigned)width * (unsigned)width + (unsigned)source % (unsigned)width;
    return kgen_emulation::from_word<T>(kgen_emulation::exchange(kgen_emulation::to_word(value), partner));
}

template <typename T>
T atomicAdd(T* address, T value) {
    if constexpr (std::is_floating_point_v<T>) {
        // No atomic floating add on the host: compare-and-swap the bits.
        using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
        Bits* word = reinterpret_cast<Bits*>(address);
        Bits expected = __atomic_load_n(word, __ATOMIC_SEQ_CST);
        for (;;) {
            T current = kgen_emulation::from_word<T>(expected);
            Bits desired = (Bits)kgen_emulation::to_word(T(current + value));
            if (__atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
                return current;
            }
        }
    } else {
        return __atomic_fetch_add(address, value, __ATOMIC_SEQ_CST);
    }
}

namespace kgen_emulation {

// ex2.approx.ftz.f32 (native/src/cuda/fast_math.cuh): 2^x with results below the smallest normal
// flushed to +0. The host's exp2f is more accurate than the SFU; the tests' tolerance covers both.
inline float ex2_approx_ftz(float x) {
    const float y = exp2f(x);
    return y < 1.17549435e-38f ? 0.0f : y;
}

}  // namespace kgen_emulation

// Blocks run one after another on the host and the atomics above are sequentially consistent;
// a fence still orders a thread's plain stores for ThreadSanitizer.
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

template <typename T>
T atomicMin(T* address, T value) {
    T old = __atomic_load_n(address, __ATOMIC_SEQ_CST);
    while (value < old && !__atomic_compare_exchange_n(address, &old, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    return old;
}

template <typename T>
T atomicMax(T* address, T value) {
    T old = __atomic_load_n(address, __ATOMIC_SEQ_CST);
    while (value > old && !__atomic_compare_exchange_n(address, &old, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    return old;
}

// ---- tensor cores ------------------------------------------------------------------------------

namespace kgen_emulation {

// cvt.rna.tf32.f32: round to nearest, ties away from zero, keeping 10 mantissa bits (the low 13
// bits of the register are 0). NaN and infinity pass through.
inline uint32_t to_tf32(float x) {
    uint32_t bits = (uint32_t)to_word(x);
    if ((bits & 0x7f800000u) == 0x7f800000u) return bits;
    return (bits + 0x1000u) & ~0x1fffu;
}

// mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32, written from the PTX ISA's fragment table
// for .tf32 (not from mma.cuh's coordinates, which tests/native/mma_check.cu checks against this):
// every lane offers its fragments, then computes its four elements of D. The products of tf32
// values are exact in float; the sum over k runs in order.
inline void mma_m16n8k8_tf32(float d[4], const uint32_t a[4], const uint32_t b[2], const float c[4]) {
    float A[16][8], B[8][8];
    const uint32_t mine[6] = {a[0], a[1], a[2], a[3], b[0], b[1]};
    uint32_t all[32 * 6];
    gather(mine, 6, all);
    for (unsigned source = 0; source < 32; ++source) {
        const unsigned group = source >> 2, in_group = source & 3;
        const uint32_t* fragment = all + 6 * source;
        // A: a0 (group, t), a1 (group + 8, t), a2 (group, t + 4), a3 (group + 8, t + 4).
        A[group][in_group] = from_word<float>(fragment[0]);
        A[group + 8][in_group] = from_word<float>(fragment[1]);
        A[group][in_group + 4] = from_word<float>(fragment[2]);
        A[group + 8][in_group + 4] = from_word<float>(fragment[3]);
        // B: b0 (t, group), b1 (t + 4, group).
        B[in_group][group] = from_word<float>(fragment[4]);
        B[in_group + 4][group] = from_word<float>(fragment[5]);
    }
    const unsigned lane = lane_id(), group = lane >> 2, in_group = lane & 3;
    // C and D: c0 (group, 2t), c1 (group, 2t + 1), c2 (group + 8, 2t), c3 (group + 8, 2t + 1).
    const unsigned rows[4] = {group, group, group + 8, group + 8};
    const unsigned cols[4] = {2 * in_group, 2 * in_group + 1, 2 * in_group, 2 * in_group + 1};
    for (int i = 0; i < 4; ++i) {
        float sum = c[i];
        for (int k = 0; k < 8; ++k) sum += A[rows[i]][k] * B[k][cols[i]];
        d[i] = sum;
    }
}

// cp.async: the copies a CUDA thread has issued and not yet waited for, in groups. A copy lands
// when a wait covers it; at issue its bytes are poisoned (the NaN pattern the tests poison outputs
// with), since on a GPU it may land at any moment in between: a read before the wait sees NaN,
// and, under ThreadSanitizer, the write at issue shows a buffer refilled while others still read
// it, the write at the wait one read without a barrier after it. Both writes happen here, in the
// kernel's own (instrumented) code.
struct AsyncCopy {
    unsigned char* dst;
    const unsigned char* src;
    int bytes, src_bytes;
};
struct AsyncCopies {
    std::vector<AsyncCopy> copies;  // in issue order
    std::vector<size_t> group_ends;  // copies.size() at each commit
};
AsyncCopies& async_copies();  // the running CUDA thread's
[[noreturn]] void misaligned_copy(const void* dst, const void* src, int bytes);  // reports and aborts

inline void async_copy(void* dst, const void* src, int bytes, int src_bytes) {
    static const unsigned char poison[4] = {0xad, 0xde, 0xc0, 0x7f};
    if ((uintptr_t)dst % (unsigned)bytes != 0 || (uintptr_t)src % (unsigned)bytes != 0) {
        misaligned_copy(dst, src, bytes);  // a misaligned address fault on a GPU
    }
    unsigned char* out = static_cast<unsigned char*>(dst);
    for (int b = 0; b < bytes; ++b) out[b] = poison[b % 4];
    async_copies().copies.push_back(AsyncCopy{out, static_cast<const unsigned char*>(src), bytes, src_bytes});
}

inline void async_commit() {
    AsyncCopies& a = async_copies();
    a.group_ends.push_back(a.copies.size());
}

inline void async_wait(int in_flight) {
    AsyncCopies& a = async_copies();
    if ((int)a.group_ends.size() <= in_flight) return;
    const size_t landed = a.group_ends[a.group_ends.size() - 1 - (size_t)in_flight];
    for (size_t c = 0; c < landed; ++c) {
        const AsyncCopy& copy = a.copies[c];
        for (int b = 0; b < copy.bytes; ++b) copy.dst[b] = b < copy.src_bytes ? copy.src[b] : 0;
    }
    a.copies.erase(a.copies.begin(), a.copies.begin() + (ptrdiff_t)landed);
    a.group_ends.erase(a.group_ends.begin(), a.group_ends.end() - in_flight);
    for (size_t& end : a.group_ends) end -= landed;
}

}  // namespace kgen_emulation

inline double __longlong_as_double(long long v) { return kgen_emulation::from_word<double>((uint64_t)v); }
inline long long __double_as_longlong(double v) { return (long long)kgen_emulation::to_word(v); }
inline float __int_as_float(int v) { return kgen_emulation::from_word<float>((uint32_t)v); }
inline int __float_as_int(float v) { return (int)(uint32_t)kgen_emulation::to_word(v); }

// ---- the runtime ----------------------------------------------------------------------------

enum cudaError_t {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidDevice = 101,
    cudaErrorIllegalAddress = 700,
    cudaErrorLaunchTimeout = 702,
    cudaErrorAssert = 710,
    cudaErrorHardwareStackError = 714,
    cudaErrorIllegalInstruction = 715,
    cudaErrorMisalignedAddress = 716,
    cudaErrorInvalidAddressSpace = 717,
    cudaErrorInvalidPc = 718,
    cudaErrorLaunchFailure = 719,
};

enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4,
};

struct CUstream_st;
using cudaStream_t = CUstream_st*;
constexpr unsigned cudaStreamNonBlocking = 1;
struct CUevent_st;
using cudaEvent_t = CUevent_st*;
constexpr unsigned cudaEventDisableTiming = 2;

// Memory pools: a context's scratch pool. Allocations from a pool are plain allocations here.
struct CUmemPool_st;
using cudaMemPool_t = CUmemPool_st*;
enum cudaMemAllocationType { cudaMemAllocationTypePinned = 1 };
enum cudaMemLocationType { cudaMemLocationTypeDevice = 1 };
enum cudaMemPoolAttr { cudaMemPoolAttrReleaseThreshold = 4 };
struct cudaMemLocation {
    cudaMemLocationType type;
    int id;
};
struct cudaMemPoolProps {
    cudaMemAllocationType allocType;
    cudaMemLocation location;
};

struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    int major;
    int minor;
    int multiProcessorCount;
    int maxThreadsPerBlock;
    size_t sharedMemPerBlock;
};

cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* properties, int device);
cudaError_t cudaDriverGetVersion(int* version);
cudaError_t cudaRuntimeGetVersion(int* version);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorName(cudaError_t error);
const char* cudaGetErrorString(cudaError_t error);

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaDeviceSynchronize();
// Emulated work runs to completion when launched, so events are always complete: recording and
// waiting only check their handles.
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned flags);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream);
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned flags);
cudaError_t cudaDeviceReset();

cudaError_t cudaMalloc(void** pointer, size_t bytes);
cudaError_t cudaFree(void* pointer);
cudaError_t cudaMallocAsync(void** pointer, size_t bytes, cudaStream_t stream);
cudaError_t cudaFreeAsync(void* pointer, cudaStream_t stream);
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream);
cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t stream);
cudaError_t cudaMemPoolCreate(cudaMemPool_t* pool, const cudaMemPoolProps* props);
cudaError_t cudaMemPoolDestroy(cudaMemPool_t pool);
cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t pool, cudaMemPoolAttr attribute, void* value);
cudaError_t cudaMallocFromPoolAsync(void** pointer, size_t bytes, cudaMemPool_t pool, cudaStream_t stream);
// Resident blocks per SM: the emulation has no registers or shared-memory budget to model, so it
// answers as an SM with room for 1024 threads would (8 blocks of 128, 4 of 256): the planners'
// wave arithmetic runs with the block sizes the kernels really use.
cudaError_t kgen_emulation_occupancy(int* blocks, int block_threads);
template <typename Kernel>
cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, Kernel, int block_threads, size_t) {
    return kgen_emulation_occupancy(blocks, block_threads);
}

template <typename T>
cudaError_t cudaMalloc(T** pointer, size_t bytes) {
    return cudaMalloc(reinterpret_cast<void**>(pointer), bytes);
}

template <typename T>
cudaError_t cudaMallocFromPoolAsync(T** pointer, size_t bytes, cudaMemPool_t pool, cudaStream_t stream) {
    return cudaMallocFromPoolAsync(reinterpret_cast<void**>(pointer), bytes, pool, stream);
}

template <typename T>
cudaError_t cudaMallocAsync(T** pointer, size_t bytes, cudaStream_t stream) {
    return cudaMallocAsync(reinterpret_cast<void**>(pointer), bytes, stream);
}

namespace kgen_emulation {
// A device fault for the tests: from now until cudaDeviceReset, every runtime call that can
// report an error reports `error` (cudaErrorIllegalAddress, say), as a sticky fault does on a GPU.
void inject_sticky_fault(cudaError_t error);
}  // namespace kgen_emulation

// ---- launches -------------------------------------------------------------------------------

namespace kgen_emulation {

using BlockBody = void (*)(void* launch);

// Runs body(launch) for every thread of every block of the grid, blocks one after another.
void run_grid(dim3 grid, dim3 block, void* launch, BlockBody body);

inline dim3 as_dim3(dim3 d) { return d; }
inline dim3 as_dim3(unsigned v) { return dim3(v); }
inline dim3 as_dim3(int v) { return dim3((unsigned)v); }
inline dim3 as_dim3(long v) { return dim3((unsigned)v); }
inline dim3 as_dim3(long long v) { return dim3((unsigned)v); }
inline dim3 as_dim3(unsigned long v) { return dim3((unsigned)v); }

template <typename... Params>
struct Launch {
    dim3 grid, block;
    void (*kernel)(Params...);

    template <typename... Args>
    void operator()(Args&&... args) const {
        struct Bound {
            void (*kernel)(Params...);
            std::tuple<std::decay_t<Params>...> values;
        } bound{kernel, std::tuple<std::decay_t<Params>...>(std::forward<Args>(args)...)};
        // Each CUDA thread gets its own copy of the arguments, as kernel parameters are.
        run_grid(grid, block, &bound, [](void* launch) {
            auto* b = static_cast<Bound*>(launch);
            std::apply([&](auto... copy) { b->kernel(copy...); }, b->values);
        });
    }
};

template <typename G, typename B, typename... Params>
Launch<Params...> launch(G grid, B block, size_t, cudaStream_t, void (*kernel)(Params...)) {
    return Launch<Params...>{as_dim3(grid), as_dim3(block), kernel};
}

}  // namespace kgen_emulation

#define KGEN_LAUNCH(grid, block, shared_bytes, stream, ...) \
    ::kgen_emulation::launch(grid, block, shared_bytes, stream, __VA_ARGS__)
