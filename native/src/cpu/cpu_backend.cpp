// The CPU backend: context memory is host memory, operations run on all hardware threads. The
// operations themselves live one family per file (cpu_ops.h).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "../backend.h"
#include "../errors.h"
#include "cpu_ops.h"

namespace kgen {
namespace {

// Total and available memory from /proc/meminfo (0 when it cannot be read).
void read_meminfo(size_t* free_bytes, size_t* total_bytes) {
    *free_bytes = 0;
    *total_bytes = 0;
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    size_t kib;
    std::string unit;
    while (meminfo >> key >> kib >> unit) {
        if (key == "MemTotal:") *total_bytes = kib * 1024;
        if (key == "MemAvailable:") *free_bytes = kib * 1024;
    }
}

class CpuBackend final : public Backend {
public:
    std::string describe() override {
        return "CPU, " + std::to_string(std::max(1u, std::thread::hardware_concurrency())) +
               " threads, float64 accumulation";
    }

    void synchronize() override {}

    void* alloc(size_t bytes) override {
        // 64-byte alignment for vector loads; the size is rounded up as aligned_alloc requires.
        size_t rounded = (bytes + 63) / 64 * 64;
        if (rounded < bytes) throw out_of_memory("cannot allocate " + std::to_string(bytes) + " bytes");
        void* p = std::aligned_alloc(64, rounded);
        if (p == nullptr) {
            throw out_of_memory("host allocation of " + std::to_string(bytes) + " bytes failed");
        }
        return p;
    }

    void release(void* pointer) override { std::free(pointer); }

    void memory_info(size_t* free_bytes, size_t* total_bytes) override {
        read_meminfo(free_bytes, total_bytes);
    }

    void copy_to_context(void* dst, const void* src, size_t bytes) override { std::memmove(dst, src, bytes); }
    void copy_to_host(void* dst, const void* src, size_t bytes) override { std::memmove(dst, src, bytes); }
    void copy_within(void* dst, const void* src, size_t bytes) override { std::memmove(dst, src, bytes); }

    void fill(float* dst, float value, int64_t count) override { std::fill(dst, dst + count, value); }

    ScanResult scan(const float* values, int64_t count, float lower) override {
        return cpu_scan(values, count, lower);
    }

    void reduce(const Reduction& p, const Epilogue& out) override { cpu_reduce(p, out); }
    void reduce_partial(const Reduction& p, const Partial& out) override { cpu_reduce_partial(p, out); }
    void merge_partial(int64_t m, int64_t d, const Partial& a, const ConstPartial& b) override {
        cpu_merge_partial(m, d, a, b);
    }
    void finalize_partial(int64_t m, int64_t d, const ConstPartial& state, const Epilogue& out) override {
        cpu_finalize_partial(m, d, state, out);
    }

    void normal_fill(uint64_t seed, uint64_t stream, uint64_t offset, float* out, int64_t count) override {
        cpu_normal_fill(seed, stream, offset, out, count);
    }
    void uniform_fill(uint64_t seed, uint64_t stream, uint64_t offset, float* out, int64_t count) override {
        cpu_uniform_fill(seed, stream, offset, out, count);
    }
    void particle_update(const ParticleUpdate& u) override { cpu_particle_update(u); }

    void row_update(float* y, const float* a, const float* x, const float* s, int64_t m, int64_t d) override {
        cpu_row_update(y, a, x, s, m, d);
    }
    double sum_squares(const float* values, int64_t count) override { return cpu_sum_squares(values, count); }

    void nearest_two(const Pairs& p, float* distances, int64_t* indices) override {
        cpu_nearest_two(p, distances, indices);
    }
    void distance_sum(const Pairs& p, float* sums) override { cpu_distance_sum(p, sums); }
};

}  // namespace

Backend* create_cpu_backend() { return new CpuBackend(); }

}  // namespace kgen
