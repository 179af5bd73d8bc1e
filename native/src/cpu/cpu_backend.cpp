// The CPU backend: context memory is host memory, operations run on the context's thread pool.
// The operations themselves live one family per file (cpu_ops.h); kernel sums take the fast path
// (fast/fast_sums.h) unless the context asked for the reference or the fast path lacks the case.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../backend.h"
#include "../errors.h"
#include "cpu_isa.h"
#include "cpu_ops.h"
#include "fast/fast_sums.h"
#include "thread_pool.h"

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

// Large blocks a call stages its host operands in, kept for the next call of the same size: a
// fresh one comes from mmap, and filling it page-faults anew on every call (as slow as the copy).
class BlockCache {
public:
    static constexpr size_t kLeast = size_t(1) << 20;  // smaller blocks come from malloc's own pools
    static constexpr size_t kKept = 4;                    // at most this many blocks
    static constexpr size_t kKeptBytes = size_t(512) << 20;  // of at most this much in all

    ~BlockCache() {
        for (const Block& b : kept_) std::free(b.pointer);
    }
    // A kept block of `bytes` to `2 bytes`, or null.
    void* take(size_t bytes) {
        if (bytes < kLeast) return nullptr;
        std::lock_guard<std::mutex> hold(lock_);
        for (size_t i = 0; i < kept_.size(); ++i) {
            if (kept_[i].bytes >= bytes && kept_[i].bytes / 2 <= bytes) {
                void* p = kept_[i].pointer;
                live_.push_back(kept_[i]);
                kept_.erase(kept_.begin() + (long)i);
                return p;
            }
        }
        return nullptr;
    }
    void note(void* pointer, size_t bytes) {
        if (bytes < kLeast) return;
        std::lock_guard<std::mutex> hold(lock_);
        live_.push_back(Block{pointer, bytes});
    }
    // Whether the block is kept (else the caller frees it); the oldest kept one goes when full.
    bool keep(void* pointer) {
        std::lock_guard<std::mutex> hold(lock_);
        for (size_t i = 0; i < live_.size(); ++i) {
            if (live_[i].pointer != pointer) continue;
            const Block block = live_[i];
            live_.erase(live_.begin() + (long)i);
            if (block.bytes > kKeptBytes) return false;
            size_t total = block.bytes;
            for (const Block& b : kept_) total += b.bytes;
            while (!kept_.empty() && (kept_.size() == kKept || total > kKeptBytes)) {
                total -= kept_.front().bytes;
                std::free(kept_.front().pointer);
                kept_.erase(kept_.begin());
            }
            kept_.push_back(block);
            return true;
        }
        return false;
    }

private:
    struct Block {
        void* pointer;
        size_t bytes;
    };
    std::mutex lock_;
    std::vector<Block> live_, kept_;
};

class CpuBackend final : public Backend {
public:
    explicit CpuBackend(const CpuOptions& options)
        : fast_(options.path == KGEN_CPU_FAST),
          isa_(resolve_cpu_isa(options.isa)),
          sgemm_(fast_ ? resolve_blas() : nullptr),
          pool_(options.threads > 0 ? options.threads : default_thread_count()) {}

    std::string describe() override {
        return "CPU, " + std::to_string(pool_.threads()) + " threads, " +
               (fast_ ? std::string("fast path (") + cpu_isa_name(isa_) + ", float32 tiles, float64 row sums, high d on " +
                              (sgemm_ ? "OpenBLAS sgemm)" : "hand-written blocks)")
                      : std::string("reference path (float64 accumulation)"));
    }

    void synchronize() override {}
    // A CPU context's work is done when its call returns; there is no stream to hand over.
    void wait_event(void*) override { throw no_stream(); }
    void wait_stream(void*) override { throw no_stream(); }
    void record_event(void*) override { throw no_stream(); }
    static Error no_stream() {
        return invalid_argument("a CPU context has no CUDA stream: event and stream hand-offs need a CUDA context");
    }

    void* alloc(size_t bytes) override {
        // 64-byte alignment for vector loads; the size is rounded up as aligned_alloc requires.
        size_t rounded = (bytes + 63) / 64 * 64;
        if (rounded < bytes) throw out_of_memory("cannot allocate " + std::to_string(bytes) + " bytes");
        if (void* kept = blocks_.take(rounded)) return kept;
        void* p = std::aligned_alloc(64, rounded);
        if (p == nullptr) {
            throw out_of_memory("host allocation of " + std::to_string(bytes) + " bytes failed");
        }
        blocks_.note(p, rounded);
        return p;
    }

    void release(void* pointer) override {
        if (!blocks_.keep(pointer)) std::free(pointer);
    }

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

    void reduce(const Reduction& p, const Epilogue& out) override {
        if (fast_ && fast_sums_cover(p, out.gradient != nullptr)) fast_reduce(pool_, isa_, sgemm_, p, out);
        else cpu_reduce(pool_, p, out);
    }
    void reduce_partial(const Reduction& p, const Partial& out) override {
        if (fast_ && fast_sums_cover(p, out.gradient_sum != nullptr)) fast_reduce_partial(pool_, isa_, sgemm_, p, out);
        else cpu_reduce_partial(pool_, p, out);
    }
    void merge_partial(int64_t m, int64_t d, const Partial& a, const ConstPartial& b) override {
        cpu_merge_partial(pool_, m, d, a, b);
    }
    void finalize_partial(int64_t m, int64_t d, const ConstPartial& state, const Epilogue& out) override {
        cpu_finalize_partial(pool_, m, d, state, out);
    }

    void normal_fill(uint64_t seed, uint64_t stream, uint64_t offset, float* out, int64_t count) override {
        cpu_normal_fill(pool_, seed, stream, offset, out, count);
    }
    void uniform_fill(uint64_t seed, uint64_t stream, uint64_t offset, float* out, int64_t count) override {
        cpu_uniform_fill(pool_, seed, stream, offset, out, count);
    }
    void particle_update(const ParticleUpdate& u) override { cpu_particle_update(pool_, u); }

    void row_update(float* y, const float* a, const float* x, const float* s, int64_t m, int64_t d) override {
        cpu_row_update(pool_, y, a, x, s, m, d);
    }
    double sum_squares(const float* values, int64_t count) override { return cpu_sum_squares(pool_, values, count); }

    void nearest_two(const Pairs& p, float* distances, int64_t* indices) override {
        cpu_nearest_two(pool_, p, distances, indices);
    }
    void distance_sum(const Pairs& p, float* sums) override { cpu_distance_sum(pool_, p, sums); }

private:
    BlockCache blocks_;
    const bool fast_;
    const int isa_;
    const SgemmFunction sgemm_;  // null: hand-written high-d blocks
    ThreadPool pool_;
};

}  // namespace

Backend* create_cpu_backend(const CpuOptions& options) { return new CpuBackend(options); }

}  // namespace kgen
