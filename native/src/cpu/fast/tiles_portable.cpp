// The fast path's tiles for the portable instruction set (flags in CMakeLists.txt).
#define KGEN_LANES 4
#define KGEN_TILES_NAMESPACE portable
#include "gaussian_tiles.h"

namespace kgen {
TileKernels portable_tile_kernels() { return portable::kernels(); }
}  // namespace kgen
