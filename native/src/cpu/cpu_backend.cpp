// The CPU backend: context memory is host memory, operations run on all hardware threads.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "../backend.h"
#include "../common/particle_update.h"
#include "../common/philox.h"
#include "../errors.h"
#include "kernel_sums_cpu.h"
#include "pairwise_cpu.h"
#include "parallel.h"

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

    void copy_to_context(void* dst, const void* src, size_t bytes) override {
        std::memmove(dst, src, bytes);
    }
    void copy_to_host(void* dst, const void* src, size_t bytes) override {
        std::memmove(dst, src, bytes);
    }
    void copy_within(void* dst, const void* src, size_t bytes) override {
        std::memmove(dst, src, bytes);
    }

    void fill(float* dst, float value, int64_t count) override {
        std::fill(dst, dst + count, value);
    }

    void count_nonfinite(const float* values, int64_t count, int64_t* nonfinite,
                         int64_t* first_index) override {
        int64_t found = 0, first = -1;
        for (int64_t i = 0; i < count; ++i) {
            if (!std::isfinite(values[i])) {
                if (first < 0) first = i;
                ++found;
            }
        }
        *nonfinite = found;
        *first_index = first;
    }

    void reduce(const Reduction& p, const Epilogue& out) override { cpu_reduce(p, out); }
    void reduce_partial(const Reduction& p, const Partial& out) override {
        cpu_reduce_partial(p, out);
    }
    void merge_partial(int64_t m, int64_t d, const Partial& a, const Partial& b) override {
        cpu_merge_partial(m, d, a, b);
    }
    void finalize_partial(int64_t m, int64_t d, const Partial& state, const Epilogue& out) override {
        cpu_finalize_partial(m, d, state, out);
    }

    void normal_fill(uint64_t seed, uint64_t stream, uint64_t offset, float* out,
                     int64_t count) override {
        parallel_for(count, 1 << 14, [&](int64_t begin, int64_t end) {
            NormalCache cached;
            for (int64_t i = begin; i < end; ++i) {
                out[i] = cached.normal(seed, stream, offset + (uint64_t)i);
            }
        });
    }

    void uniform_fill(uint64_t seed, uint64_t stream, uint64_t offset, float* out,
                      int64_t count) override {
        parallel_for(count, 1 << 14, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                out[i] = uniform_element(seed, stream, offset + (uint64_t)i);
            }
        });
    }

    void nearest_two(const Reduction& p, float* distances, int64_t* indices) override {
        cpu_nearest_two(p, distances, indices);
    }
    void distance_sum(const Reduction& p, float* sums) override { cpu_distance_sum(p, sums); }

    void row_update(float* y, const float* a, const float* x, const float* s, int64_t m, int64_t d) override {
        parallel_for(m, 256, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                for (int64_t k = i * d; k < (i + 1) * d; ++k) y[k] += s[i] * (a[k] - (x ? x[k] : 0.0f));
            }
        });
    }

    double sum_squares(const float* values, int64_t count) override {
        // Fixed chunks summed in order: the same result whatever the thread count.
        const int64_t chunk = 1 << 16;
        std::vector<double> partial((count + chunk - 1) / chunk);
        parallel_for((int64_t)partial.size(), 1, [&](int64_t begin, int64_t end) {
            for (int64_t c = begin; c < end; ++c) {
                double s = 0.0;
                for (int64_t i = c * chunk; i < std::min(count, (c + 1) * chunk); ++i) s += (double)values[i] * values[i];
                partial[c] = s;
            }
        });
        double total = 0.0;
        for (double p : partial) total += p;
        return total;
    }

    void particle_update(const ParticleUpdate& u) override {
        parallel_for(u.count, 1 << 14, [&](int64_t begin, int64_t end) {
            NormalCache cached;
            for (int64_t i = begin; i < end; ++i) {
                float z = u.noise != 0.0f ? cached.normal(u.seed, u.stream, u.offset + (uint64_t)i) : 0.0f;
                u.x[i] = updated_element(u, i, z);
            }
        });
    }
};

}  // namespace

Backend* create_cpu_backend() { return new CpuBackend(); }

}  // namespace kgen
