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
};

#ifdef KGEN_EMULATION

__device__ __forceinline__ uint32_t to_tf32(float x) { return kgen_emulation::to_tf32(x); }

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

#endif

}  // namespace kgen
