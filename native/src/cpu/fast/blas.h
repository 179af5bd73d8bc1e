// cblas_sgemm from an OpenBLAS named at run time (dlopen), for the fast path's high-d blocks. The
// library neither links against nor needs OpenBLAS: without one, or with KGEN_CPU_BLAS=off, the
// high-d blocks are the hand-written ones.
#pragma once

namespace kgen {

// cblas_sgemm's prototype (OpenBLAS's cblas.h with 32-bit blasint; the enums are ints).
using SgemmFunction = void (*)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                               const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);
constexpr int kCblasRowMajor = 101;
constexpr int kCblasNoTrans = 111;
constexpr int kCblasTrans = 112;

// Opens the OpenBLAS at `path` for every CPU context created afterwards and sets it to one
// thread: kgen's own threads call it, one block each, so that the bits do not depend on the
// thread count. Throws `unavailable` when it cannot be opened or lacks the symbols.
void blas_load(const char* path);

// The sgemm a new CPU context uses: the loaded one, or null (none loaded, or KGEN_CPU_BLAS=off).
// KGEN_CPU_BLAS=on makes a missing one an `unavailable` error; other values are invalid.
SgemmFunction resolve_blas();

}  // namespace kgen
