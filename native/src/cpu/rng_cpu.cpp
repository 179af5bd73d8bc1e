// CPU twins of the Philox kernels: normal and uniform fills and the particle update, the bits
// of rng_cuda.cu and the Java twin (see common/philox.h).
#include "../common/particle_update.h"
#include "../common/philox.h"
#include "cpu_ops.h"
#include "thread_pool.h"

namespace kgen {

void cpu_normal_fill(ThreadPool& pool, uint64_t seed, uint64_t stream, uint64_t offset, float* out, int64_t count) {
    pool.parallel_for(count, 1 << 14, [&](int64_t begin, int64_t end) {
        NormalCache cached;
        for (int64_t i = begin; i < end; ++i) out[i] = cached.normal(seed, stream, offset + (uint64_t)i);
    });
}

void cpu_uniform_fill(ThreadPool& pool, uint64_t seed, uint64_t stream, uint64_t offset, float* out, int64_t count) {
    pool.parallel_for(count, 1 << 14, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) out[i] = uniform_element(seed, stream, offset + (uint64_t)i);
    });
}

void cpu_particle_update(ThreadPool& pool, const ParticleUpdate& u) {
    pool.parallel_for(u.count, 1 << 14, [&](int64_t begin, int64_t end) {
        NormalCache cached;
        for (int64_t i = begin; i < end; ++i) {
            float z = u.noise != 0.0f ? cached.normal(u.seed, u.stream, u.offset + (uint64_t)i) : 0.0f;
            u.x[i] = updated_element(u, i, z);
        }
    });
}

}  // namespace kgen
