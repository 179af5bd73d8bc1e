// The fast path's tiles for the avx2 instruction set (flags in CMakeLists.txt).
#define KGEN_LANES 8
#define KGEN_TILES_NAMESPACE avx2
#include "gaussian_tiles.h"

namespace kgen {
TileKernels avx2_tile_kernels() { return avx2::kernels(); }
}  // namespace kgen
