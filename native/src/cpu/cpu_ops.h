// The CPU backend's operations, one file per family as on the CUDA side: kernel sums
// (kernel_sums_cpu.cpp), kernel-free pairwise reductions (pairwise_cpu.cpp), Philox fills and
// the particle update (rng_cpu.cpp), row-wise helpers and scans (rows_cpu.cpp). Every sum is
// accumulated in double: this is the reference the CUDA kernels are tested against. The fast
// path's kernel sums are in fast/ (fast_sums.h). Parallel work runs on the context's pool.
#pragma once

#include "../backend.h"
#include "thread_pool.h"

namespace kgen {

void cpu_reduce(ThreadPool& pool, const Reduction& problem, const Epilogue& out);
void cpu_reduce_partial(ThreadPool& pool, const Reduction& problem, const Partial& out);
void cpu_merge_partial(ThreadPool& pool, int64_t m, int64_t d, const Partial& a, const ConstPartial& b);
void cpu_finalize_partial(ThreadPool& pool, int64_t m, int64_t d, const ConstPartial& state, const Epilogue& out);

void cpu_nearest_two(ThreadPool& pool, const Pairs& pairs, float* distances, int64_t* indices);
void cpu_distance_sum(ThreadPool& pool, const Pairs& pairs, float* sums);

void cpu_normal_fill(ThreadPool& pool, uint64_t seed, uint64_t stream, uint64_t offset, float* out, int64_t count);
void cpu_uniform_fill(ThreadPool& pool, uint64_t seed, uint64_t stream, uint64_t offset, float* out, int64_t count);
void cpu_particle_update(ThreadPool& pool, const ParticleUpdate& update);

void cpu_row_update(ThreadPool& pool, float* y, const float* a, const float* x, const float* row_scale, int64_t m, int64_t d);
double cpu_sum_squares(ThreadPool& pool, const float* values, int64_t count);
ScanResult cpu_scan(const float* values, int64_t count, float lower);

}  // namespace kgen
