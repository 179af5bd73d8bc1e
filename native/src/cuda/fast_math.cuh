// Device operations that the hot loops reach through inline PTX or vector types, each a device
// function so that the emulation tier (tests/emulation/cuda_runtime.h) can give its own
// implementation with the same contract, as mma.cuh does for the tensor cores.
#pragma once

#include <cuda_runtime.h>

#include <string.h>

namespace kgen {

#ifdef KGEN_EMULATION

__device__ __forceinline__ float ex2_approx(float x) { return kgen_emulation::ex2_approx_ftz(x); }

template <int N>
__device__ __forceinline__ void load_shared_row(const float* row, float (&out)[N]) {
    memcpy(out, row, sizeof out);
}

#else

// 2^x by the SFU's ex2.approx.ftz.f32 (one MUFU instruction): a relative error of about 2^-22,
// -inf gives +0, and a result below 2^-126 (a term negligible next to the running max, which
// is 2^0 in these sums) flushes to 0. exp2f adds range handling the sums do not need.
__device__ __forceinline__ float ex2_approx(float x) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
}

// N floats from shared memory at `row`, 16-byte aligned (8-byte for N = 2), by vector loads: a
// row of 8 floats is two 128-bit loads instead of eight 32-bit ones. The loads are volatile
// asm so that the compiler reads the row again where the code does: a kernel that walks a tile
// twice (logits, then terms) would otherwise keep the whole tile in registers between the passes
// and spill.
template <int N>
__device__ __forceinline__ void load_shared_row(const float* row, float (&out)[N]) {
    static_assert(N == 2 || N % 4 == 0, "rows of 2 or a multiple of 4 floats");
    const unsigned address = (unsigned)__cvta_generic_to_shared(row);
    if constexpr (N == 2) {
        asm volatile("ld.shared.v2.f32 {%0, %1}, [%2];" : "=f"(out[0]), "=f"(out[1]) : "r"(address) : "memory");
    } else {
#pragma unroll
        for (int k = 0; k < N; k += 4) {
            asm volatile("ld.shared.v4.f32 {%0, %1, %2, %3}, [%4];"
                         : "=f"(out[k]), "=f"(out[k + 1]), "=f"(out[k + 2]), "=f"(out[k + 3])
                         : "r"(address + 4 * k)
                         : "memory");
        }
    }
}

#endif

}  // namespace kgen
