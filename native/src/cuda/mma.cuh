// Tensor-core operations for kgen's kernels, each a device function over the fragment layout the
// PTX ISA documents ("Matrix Fragments for mma.m16n8k8", .tf32). A kernel loads and stores
// fragments only through the coordinates below, and calls the operation only through these
// functions, so that the emulation tier (tests/emulation/cuda_runtime.h) can run the same kernel
// on the host: it implements the operation from its own transcription of the documented layout,
// and tests/native/mma_check.cu holds the two against each other (and, on a GPU, against the
// hardware).
#pragma once

#include <cuda_runtime.h>

#include <stdint.h>

namespace kgen {

// D (16 x 8, f32) = A (16 x 8, tf32, row-major) B (8 x 8, tf32, column-major) + C, per warp.
// Lane l, with g = l / 4 and t = l % 4, holds:
//   a[0] = A[g][t]    a[1] = A[g + 8][t]    a[2] = A[g][t + 4]    a[3] = A[g + 8][t + 4]
//   b[0] = B[t][g]    b[1] = B[t + 4][g]
//   c[0] = C[g][2t]   c[1] = C[g][2t + 1]   c[2] = C[g + 8][2t]   c[3] = C[g + 8][2t + 1]
// and D as C.
struct MmaM16N8K8 {
    static constexpr int kM = 16, kN = 8, kK = 8;
    __host__ __device__ static constexpr int a_row(int lane, int i) { return lane / 4 + 8 * (i % 2); }
    __host__ __device__ static constexpr int a_col(int lane, int i) { return lane % 4 + 4 * (i / 2); }
    __host__ __device__ static constexpr int b_row(int lane, int i) { return lane % 4 + 4 * i; }
    __host__ __device__ static constexpr int b_col(int lane, int) { return lane / 4; }
    __host__ __device__ static constexpr int c_row(int lane, int i) { return lane / 4 + 8 * (i / 2); }
    __host__ __device__ static constexpr int c_col(int lane, int i) { return 2 * (lane % 4) + i % 2; }

    // A lane's fragments touch two rows, lane / 4 and lane / 4 + 8: element i of A lies in row
    // lane / 4 + 8 a_half(i), element i of C and D in row lane / 4 + 8 c_half(i). Functions of i
    // alone, so that per-row values can live in registers indexed at compile time.
    __host__ __device__ static constexpr int a_half(int i) { return i % 2; }
    __host__ __device__ static constexpr int c_half(int i) { return i / 2; }

    // Chaining (O += P Y with P the D of an earlier mma): a lane's D fragment serves as its A
    // fragment when A's column k stands for D's column k_order(k): a[i] = d[a_from_d(i)]. The B
    // operand of the chained mma then takes its row k from row k_order(k) of the matrix it reads.
    __host__ __device__ static constexpr int a_from_d(int i) { return 2 * (i % 2) + i / 2; }
    __host__ __device__ static constexpr int k_order(int k) { return 2 * (k % 4) + k / 4; }
};

// Asynchronous copies from global to shared memory (cp.async, sm_80 and newer): Bytes (4 or 16,
// 16 needs both addresses 16-byte aligned) land at dst, the first src_bytes of them read from src
// and the rest zero (src_bytes = 0: nothing is read). A copy lands at some moment between the
// call and the cp_async_wait<N> that covers its group: the issuing thread may read it after that
// wait, other threads after a barrier that follows the wait. Until then dst must be neither read
// nor written by anyone.
//   cp_async_commit():  closes the group of this thread's copies issued since the last commit
//   cp_async_wait<N>(): waits until at most N of this thread's groups are still in flight

#ifdef KGEN_EMULATION

__device__ __forceinline__ uint32_t to_tf32(float x) { return kgen_emulation::to_tf32(x); }

template <int Bytes>
__device__ __forceinline__ void cp_async(void* dst, const void* src, int src_bytes) {
    static_assert(Bytes == 4 || Bytes == 16, "cp.async copies 4, 8 or 16 bytes; kgen uses 4 and 16");
    kgen_emulation::async_copy(dst, src, Bytes, src_bytes);
}
__device__ __forceinline__ void cp_async_commit() { kgen_emulation::async_commit(); }
template <int N>
__device__ __forceinline__ void cp_async_wait() { kgen_emulation::async_wait(N); }

__device__ __forceinline__ void mma_m16n8k8_tf32(float d[4], const uint32_t a[4], const uint32_t b[2],
                                                 const float c[4]) {
    kgen_emulation::mma_m16n8k8_tf32(d, a, b, c);
}

#else

// Round to nearest (ties away from zero) to tf32's 10-bit mantissa, kept in a 32-bit register.
__device__ __forceinline__ uint32_t to_tf32(float x) {
    uint32_t out = 0;
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(out) : "f"(x));
#else
    __trap();
#endif
    return out;
}

__device__ __forceinline__ void mma_m16n8k8_tf32(float d[4], const uint32_t a[4], const uint32_t b[2],
                                                 const float c[4]) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm volatile(
        "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%10, %11, %12, %13};"
        : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]),
          "f"(c[3]));
#else
    __trap();  // tensor-core tf32 needs sm_80 or newer; kgen builds for sm_80 and sm_90a
#endif
}

template <int Bytes>
__device__ __forceinline__ void cp_async(void* dst, const void* src, int src_bytes) {
    static_assert(Bytes == 4 || Bytes == 16, "cp.async copies 4, 8 or 16 bytes; kgen uses 4 and 16");
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    const uint32_t shared = (uint32_t)__cvta_generic_to_shared(dst);
    if constexpr (Bytes == 16) {
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(shared), "l"(src), "r"(src_bytes));
    } else {
        asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;" ::"r"(shared), "l"(src), "r"(src_bytes));
    }
#else
    __trap();
#endif
}

__device__ __forceinline__ void cp_async_commit() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm volatile("cp.async.commit_group;" ::: "memory");
#else
    __trap();
#endif
}

template <int N>
__device__ __forceinline__ void cp_async_wait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
#else
    __trap();
#endif
}

#endif

}  // namespace kgen
