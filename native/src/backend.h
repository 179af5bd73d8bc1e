// The interface both backends implement. api.cpp checks arguments and turns exceptions into
// status codes; a backend may assume shapes and pointers are valid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kgen.h"

namespace kgen {

// An argument check of the ABI that a backend runs on the device with the operation that reads
// the values (Backend::defers_value_checks), reported by the next call that waits for the device.
// Entries must be finite and >= lower; with positive_sum some entry must be > 0.
struct ValueCheck {
    enum class Kind { kWeights, kBandwidths };
    const float* values = nullptr;  // null: nothing left to check
    int64_t count = 0;
    float lower = 0.0f;
    bool positive_sum = false;
    Kind kind = Kind::kWeights;
    int kernel = KGEN_KERNEL_GAUSSIAN;  // for a bandwidth message: the kernel and d
    int64_t d = 0;
};

// Queries x (m x d) against data y (n x d): what every pairwise reduction reads.
struct Pairs {
    const float* queries = nullptr;
    int64_t m = 0;
    const float* data = nullptr;
    int64_t n = 0;
    int64_t d = 0;
    const float* weights = nullptr;  // n values, or null (see each reduction)
    bool leave_one_out = false;
    int64_t self_offset = 0;  // with leave_one_out: skip j == i + self_offset
    ValueCheck weight_check;  // the weights' check, when the backend defers it
};

// One kernel reduction, MATH.md section 1: the pairs, the kernel and its bandwidths.
struct Reduction : Pairs {
    int kernel = KGEN_KERNEL_GAUSSIAN;
    float uniform_log_weight = 0.0f;    // every log weight when weights is null
    const float* bandwidths = nullptr;  // m values, or null: `bandwidth` for all queries
    float bandwidth = 1.0f;
    ValueCheck bandwidth_check;  // the per-query bandwidths' check, when the backend defers it
};

// An Euler step fused into the epilogue: x <- x + step (mean - x) / h^2 + noise z, where x is the
// queries (which must not be the data) and z is Philox normal element offset + i d + k.
struct EulerStep {
    float* x = nullptr;  // the queries, written in place; null: no step
    float step = 0.0f;
    float noise = 0.0f;
    uint64_t seed = 0;
    uint64_t stream = 0;
    uint64_t offset = 0;
};

// What to write once the reduction is complete; every pointer optional.
struct Epilogue {
    float* lse = nullptr;          // m
    float* mean = nullptr;         // m x d
    float* gradient = nullptr;     // m x d: sum_j P_ij grad_x log k_ij
    float* log_density = nullptr;  // m: lse - log Z_k(d, h)
    float* score = nullptr;        // m x d: (mean - x) / h^2, the Gaussian score from the mean
    EulerStep euler;
};

// The mergeable partial state; gradient_sum may be null.
struct Partial {
    float* max_logit = nullptr;
    float* sum_exp = nullptr;
    float* weighted_sum = nullptr;
    float* gradient_sum = nullptr;
};

// The read-only side of a merge.
struct ConstPartial {
    const float* max_logit = nullptr;
    const float* sum_exp = nullptr;
    const float* weighted_sum = nullptr;
    const float* gradient_sum = nullptr;
};

// What kgen_scan reports.
struct ScanResult {
    int64_t bad_count = 0;
    int64_t first_bad = -1;
    double sum = 0.0;
};

// x <- x + alpha a + beta b + noise z (kgen_particle_update).
struct ParticleUpdate {
    float* x = nullptr;
    int64_t count = 0;
    float alpha = 0.0f;
    const float* a = nullptr;
    float beta = 0.0f;
    const float* b = nullptr;
    float noise = 0.0f;
    uint64_t seed = 0;
    uint64_t stream = 0;
    uint64_t offset = 0;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string describe() = 0;
    // True when weights and per-query bandwidths are checked on the device by the operation
    // itself (Pairs::weight_check, Reduction::bandwidth_check) instead of by a scan before it.
    virtual bool defers_value_checks() const { return false; }
    virtual void synchronize() = 0;
    // Hand-offs with the caller's CUDA events and streams (a CPU backend rejects them).
    virtual void wait_event(void* event) = 0;
    virtual void wait_stream(void* stream) = 0;
    virtual void record_event(void* event) = 0;

    virtual void* alloc(size_t bytes) = 0;  // throws OutOfMemory
    virtual void release(void* pointer) = 0;
    virtual void memory_info(size_t* free_bytes, size_t* total_bytes) = 0;
    virtual void copy_to_context(void* dst, const void* src, size_t bytes) = 0;
    virtual void copy_to_host(void* dst, const void* src, size_t bytes) = 0;
    virtual void copy_within(void* dst, const void* src, size_t bytes) = 0;
    virtual void fill(float* dst, float value, int64_t count) = 0;
    // Entries that are NaN, infinite or below `lower`, and the sum of all entries.
    virtual ScanResult scan(const float* values, int64_t count, float lower) = 0;

    virtual void reduce(const Reduction& problem, const Epilogue& out) = 0;
    virtual void reduce_partial(const Reduction& problem, const Partial& out) = 0;
    virtual void merge_partial(int64_t m, int64_t d, const Partial& a, const ConstPartial& b) = 0;
    virtual void finalize_partial(int64_t m, int64_t d, const ConstPartial& state,
                                  const Epilogue& out) = 0;

    virtual void normal_fill(uint64_t seed, uint64_t stream, uint64_t offset, float* out,
                             int64_t count) = 0;
    virtual void uniform_fill(uint64_t seed, uint64_t stream, uint64_t offset, float* out,
                              int64_t count) = 0;

    virtual void particle_update(const ParticleUpdate& update) = 0;

    // y_i += s_i (a_i - x_i) (x may be null), and a deterministic sum of squares.
    virtual void row_update(float* y, const float* a, const float* x, const float* row_scale, int64_t m,
                            int64_t d) = 0;
    virtual double sum_squares(const float* values, int64_t count) = 0;

    // Pairwise reductions without a kernel (null weights: unit weights).
    virtual void nearest_two(const Pairs& pairs, float* distances, int64_t* indices) = 0;
    virtual void distance_sum(const Pairs& pairs, float* sums) = 0;
};

// How a CPU context runs: the kgen_cpu_context_create arguments (0: the defaults).
struct CpuOptions {
    int threads = 0;
    int path = KGEN_CPU_FAST;
    int isa = KGEN_CPU_ISA_AUTO;
};

Backend* create_cpu_backend(const CpuOptions& options);
Backend* create_cuda_backend(int device);  // throws Unavailable when CUDA is not compiled in
int cuda_device_count();                   // 0 without CUDA, driver or device

}  // namespace kgen
