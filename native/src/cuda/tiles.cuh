// The one tile loader of the CUDA kernels: every kernel that stages row-major queries or data in
// shared memory goes through it, so that bounds and zero padding are handled in one place.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace kgen {

// Stages rows [row0, row0 + rows) x columns [col0, col0 + cols) of a row-major matrix with `ld`
// floats per row into tile[0, Rows) x [0, Cols). Entries past `rows` or `cols` are set to 0, so
// that a ragged tile adds 0 to every squared distance and nothing outside the matrix is read.
// Pitch > Cols (e.g. Cols + 1) keeps threads that walk down a column on distinct banks.
//
// Every thread of the block (Threads of them) must call it; it has no barrier of its own: the
// caller puts one before (the tile's last readers are done) and one after (the tile is visible).
template <int Cols, int Threads, int Rows, int Pitch>
__device__ __forceinline__ void stage_tile(float (&tile)[Rows][Pitch], const float* matrix, int64_t ld,
                                           int64_t row0, int rows, int64_t col0, int cols) {
    static_assert(Cols <= Pitch, "a tile row holds Cols entries");
    for (int idx = threadIdx.x; idx < Rows * Cols; idx += Threads) {
        const int r = idx / Cols, k = idx % Cols;
        tile[r][k] = (r < rows && k < cols) ? matrix[(row0 + r) * ld + col0 + k] : 0.0f;
    }
}

}  // namespace kgen
