// The fast path's tiles for the avx512 instruction set (flags in CMakeLists.txt).
#define KGEN_LANES 16
#define KGEN_TILES_NAMESPACE avx512
#include "gaussian_tiles.h"

namespace kgen {
TileKernels avx512_tile_kernels() { return avx512::kernels(); }
}  // namespace kgen
