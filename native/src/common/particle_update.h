// One element of kgen_particle_update, shared by the CPU and CUDA backends so that both apply the
// same operations in the same order (the CUDA side may still fuse a multiply-add).
#pragma once

#include "../backend.h"
#include "philox.h"

namespace kgen {

KGEN_HD float updated_element(const ParticleUpdate& u, int64_t k, float z) {
    float v = u.x[k];
    if (u.a) v += u.alpha * u.a[k];
    if (u.b) v += u.beta * u.b[k];
    if (u.noise != 0.0f) v += u.noise * z;
    return v;
}

}  // namespace kgen
