// Stand-ins for the CUDA backend in a CPU-only build.
#include "backend.h"
#include "errors.h"

namespace kgen {

Backend* create_cuda_backend(int) {
    throw unavailable("this kgen library was built without CUDA (no nvcc at build time, or "
                      "-Dkgen.cuda=OFF)");
}

int cuda_device_count() { return 0; }

}  // namespace kgen
