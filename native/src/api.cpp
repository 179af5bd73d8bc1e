// The C ABI: dispatch to the context's backend, errors as status codes plus a thread-local
// message. Argument checks live in checks.cpp; this file only wires each call.
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "backend.h"
#include "checks.h"
#include "cpu/fast/blas.h"
#include "cpu/thread_pool.h"
#include "errors.h"
#include "kgen.h"

#define KGEN_STRINGIFY_INNER(x) #x
#define KGEN_STRINGIFY(x) KGEN_STRINGIFY_INNER(x)

struct kgen_context {
    std::unique_ptr<kgen::Backend> backend;

    // Set once a device fault has lost the context: the first error's message.
    std::mutex lost_lock;
    std::string lost;

    std::string lost_message() {
        std::lock_guard<std::mutex> hold(lost_lock);
        return lost;
    }
    void mark_lost(const std::string& message) {
        std::lock_guard<std::mutex> hold(lost_lock);
        if (lost.empty()) lost = message;
    }
};

namespace {

namespace check = kgen::checks;

thread_local std::string last_error;

kgen_status fail(kgen_status status, const std::string& message) {
    last_error = message;
    return status;
}

// Runs an ABI body: every exception becomes a status and a message, none crosses the ABI.
template <typename Body>
kgen_status guarded(Body&& body) {
    try {
        body();
        return KGEN_OK;
    } catch (const kgen::Error& e) {
        return fail(e.status(), e.what());
    } catch (const std::bad_alloc&) {
        return fail(KGEN_OUT_OF_MEMORY, "host allocation failed");
    } catch (const std::exception& e) {
        return fail(KGEN_INTERNAL, std::string("internal error: ") + e.what());
    } catch (...) {
        return fail(KGEN_INTERNAL, "internal error: unknown exception");
    }
}

// An operation on a context: body(backend), guarded. A lost context answers every operation
// with the fault that lost it, not with whatever the runtime says next.
template <typename Body>
kgen_status on_context(kgen_context* context, Body&& body) {
    return guarded([&] {
        check::require(context != nullptr, "context is NULL");
        const std::string lost = context->lost_message();
        if (!lost.empty()) throw kgen::context_lost("context lost to an earlier device fault: " + lost);
        try {
            body(*context->backend);
        } catch (const kgen::Error& e) {
            if (e.status() == KGEN_CONTEXT_LOST) context->mark_lost(e.what());
            throw;
        }
    });
}

kgen::Reduction checked_reduction(kgen::Backend& b, int kernel, const float* queries, int64_t m, const float* data,
                                  int64_t n, int64_t d, const float* weights, const float* bandwidths,
                                  float bandwidth, int leave_one_out) {
    kgen::Pairs pairs = check::pairs(b, queries, m, data, n, d, weights, check::WeightSum::kPositive, leave_one_out);
    return check::reduction(b, pairs, kernel, bandwidths, bandwidth);
}

kgen::ConstPartial const_partial(const float* max_logit, const float* sum_exp, const float* weighted,
                                 const float* gradient) {
    return kgen::ConstPartial{max_logit, sum_exp, weighted, gradient};
}

}  // namespace

extern "C" {

int kgen_abi_version(void) { return KGEN_ABI_VERSION; }

const char* kgen_last_error(void) { return last_error.c_str(); }

int kgen_cuda_compiled(void) {
#ifdef KGEN_WITH_CUDA
    return 1;
#else
    return 0;
#endif
}

const char* kgen_build_info(void) {
#ifdef KGEN_WITH_CUDA
    return "kgen ABI " KGEN_STRINGIFY(KGEN_ABI_VERSION) ", CUDA " KGEN_STRINGIFY(KGEN_CUDA_VERSION_TEXT)
           ", machine code and PTX for: " KGEN_CUDA_ARCHITECTURES;
#else
    return "kgen ABI " KGEN_STRINGIFY(KGEN_ABI_VERSION) ", CPU only (built without CUDA)";
#endif
}

kgen_status kgen_cuda_device_count(int* count) {
    return guarded([&] {
        check::pointer(count, "count");
        *count = kgen::cuda_device_count();
    });
}

kgen_status kgen_cpu_default_threads(int* threads) {
    return guarded([&] {
        check::pointer(threads, "threads");
        *threads = kgen::default_thread_count();
    });
}

kgen_status kgen_cpu_blas_load(const char* library_path) {
    return guarded([&] {
        check::pointer(library_path, "library_path");
        kgen::blas_load(library_path);
    });
}

float kgen_min_bandwidth(int kernel, int64_t d) { return check::min_bandwidth(kernel, d); }

kgen_status kgen_context_create(int backend, int device, kgen_context** context) {
    return guarded([&] {
        check::pointer(context, "context");
        *context = nullptr;
        std::unique_ptr<kgen_context> created(new kgen_context());
        if (backend == KGEN_BACKEND_CPU) {
            created->backend.reset(kgen::create_cpu_backend(kgen::CpuOptions{}));
        } else if (backend == KGEN_BACKEND_CUDA) {
            check::require(device >= 0, "device must be >= 0, got " + std::to_string(device));
            created->backend.reset(kgen::create_cuda_backend(device));
        } else {
            throw kgen::invalid_argument("backend must be KGEN_BACKEND_CPU (0) or KGEN_BACKEND_CUDA (1), got " +
                                         std::to_string(backend));
        }
        *context = created.release();
    });
}

kgen_status kgen_cpu_context_create(int threads, int path, int isa, kgen_context** context) {
    return guarded([&] {
        check::pointer(context, "context");
        *context = nullptr;
        check::require(threads >= 0, "threads must be >= 0 (0: the default), got " + std::to_string(threads));
        check::require(path == KGEN_CPU_FAST || path == KGEN_CPU_REFERENCE,
                       "path must be KGEN_CPU_FAST (0) or KGEN_CPU_REFERENCE (1), got " + std::to_string(path));
        check::require(isa >= KGEN_CPU_ISA_AUTO && isa <= KGEN_CPU_ISA_AVX512,
                       "isa must be a kgen_cpu_isa (0 to 3), got " + std::to_string(isa));
        std::unique_ptr<kgen_context> created(new kgen_context());
        created->backend.reset(kgen::create_cpu_backend(kgen::CpuOptions{threads, path, isa}));
        *context = created.release();
    });
}

kgen_status kgen_context_destroy(kgen_context* context) {
    return guarded([&] { delete context; });
}

kgen_status kgen_context_describe(kgen_context* context, char* buffer, size_t capacity) {
    return on_context(context, [&](kgen::Backend& b) {
        check::pointer(buffer, "buffer");
        check::require(capacity > 0, "capacity must be positive");
        std::string text = b.describe();
        std::strncpy(buffer, text.c_str(), capacity - 1);
        buffer[capacity - 1] = '\0';
    });
}

kgen_status kgen_synchronize(kgen_context* context) {
    return on_context(context, [&](kgen::Backend& b) { b.synchronize(); });
}

kgen_status kgen_wait_event(kgen_context* context, void* cuda_event) {
    return on_context(context, [&](kgen::Backend& b) {
        check::pointer(cuda_event, "cuda_event");
        b.wait_event(cuda_event);
    });
}

kgen_status kgen_wait_stream(kgen_context* context, void* cuda_stream) {
    return on_context(context, [&](kgen::Backend& b) { b.wait_stream(cuda_stream); });
}

kgen_status kgen_record_event(kgen_context* context, void* cuda_event) {
    return on_context(context, [&](kgen::Backend& b) {
        check::pointer(cuda_event, "cuda_event");
        b.record_event(cuda_event);
    });
}

kgen_status kgen_alloc(kgen_context* context, size_t bytes, void** pointer) {
    return on_context(context, [&](kgen::Backend& b) {
        check::pointer(pointer, "pointer");
        *pointer = nullptr;
        check::require(bytes > 0, "bytes must be positive, got 0");
        *pointer = b.alloc(bytes);
    });
}

// On a lost context a free succeeds and does nothing: the device's reset reclaims the memory,
// and a caller cleaning up after the fault should not meet it again.
kgen_status kgen_free(kgen_context* context, void* pointer) {
    if (context != nullptr && !context->lost_message().empty()) return KGEN_OK;
    return on_context(context, [&](kgen::Backend& b) {
        if (pointer != nullptr) b.release(pointer);
    });
}

kgen_status kgen_memory_info(kgen_context* context, size_t* free_bytes, size_t* total_bytes) {
    return on_context(context, [&](kgen::Backend& b) {
        check::pointer(free_bytes, "free_bytes");
        check::pointer(total_bytes, "total_bytes");
        b.memory_info(free_bytes, total_bytes);
    });
}

kgen_status kgen_copy_to_context(kgen_context* context, void* dst, const void* host_src, size_t bytes) {
    return on_context(context, [&](kgen::Backend& b) {
        if (bytes == 0) return;
        check::pointer(dst, "dst");
        check::pointer(host_src, "host_src");
        b.copy_to_context(dst, host_src, bytes);
    });
}

kgen_status kgen_copy_to_host(kgen_context* context, void* host_dst, const void* src, size_t bytes) {
    return on_context(context, [&](kgen::Backend& b) {
        if (bytes == 0) return;
        check::pointer(host_dst, "host_dst");
        check::pointer(src, "src");
        b.copy_to_host(host_dst, src, bytes);
    });
}

kgen_status kgen_copy_within(kgen_context* context, void* dst, const void* src, size_t bytes) {
    return on_context(context, [&](kgen::Backend& b) {
        if (bytes == 0) return;
        check::pointer(dst, "dst");
        check::pointer(src, "src");
        b.copy_within(dst, src, bytes);
    });
}

kgen_status kgen_fill(kgen_context* context, float* dst, float value, int64_t count) {
    return on_context(context, [&](kgen::Backend& b) {
        check::not_negative(count, "count");
        if (count == 0) return;
        check::pointer(dst, "dst");
        b.fill(dst, value, count);
    });
}

kgen_status kgen_scan(kgen_context* context, const float* values, int64_t count, float lower, int64_t* bad_count,
                      int64_t* first_bad, double* sum) {
    return on_context(context, [&](kgen::Backend& b) {
        check::pointer(bad_count, "bad_count");
        check::not_negative(count, "count");
        check::require(lower == lower, "lower is NaN");
        kgen::ScanResult result;
        if (count > 0) {
            check::pointer(values, "values");
            result = b.scan(values, count, lower);
        }
        *bad_count = result.bad_count;
        if (first_bad) *first_bad = result.first_bad;
        if (sum) *sum = result.sum;
    });
}

kgen_status kgen_kernel_sum(kgen_context* context, int kernel, const float* queries, int64_t m, const float* data,
                            int64_t n, int64_t d, const float* weights, const float* bandwidths, float bandwidth,
                            int leave_one_out, float* lse, float* mean, float* gradient) {
    return on_context(context, [&](kgen::Backend& b) {
        check::require(lse != nullptr || mean != nullptr || gradient != nullptr,
                       "no output requested: lse, mean and gradient are all NULL");
        kgen::Reduction r = checked_reduction(b, kernel, queries, m, data, n, d, weights, bandwidths, bandwidth,
                                              leave_one_out);
        check::output_apart(r, lse, m, "lse");
        check::output_apart(r, mean, m * d, "mean");
        check::output_apart(r, gradient, m * d, "gradient");
        check::outputs_apart({{lse, m, "lse"}, {mean, m * d, "mean"}, {gradient, m * d, "gradient"}});
        kgen::Epilogue out;
        out.lse = lse;
        out.mean = mean;
        out.gradient = gradient;
        b.reduce(r, out);
    });
}

kgen_status kgen_log_density(kgen_context* context, int kernel, const float* queries, int64_t m, const float* data,
                             int64_t n, int64_t d, const float* weights, const float* bandwidths, float bandwidth,
                             int leave_one_out, float* log_density) {
    return on_context(context, [&](kgen::Backend& b) {
        check::pointer(log_density, "log_density");
        kgen::Reduction r = checked_reduction(b, kernel, queries, m, data, n, d, weights, bandwidths, bandwidth,
                                              leave_one_out);
        check::output_apart(r, log_density, m, "log_density");
        kgen::Epilogue out;
        out.log_density = log_density;
        b.reduce(r, out);
    });
}

kgen_status kgen_score(kgen_context* context, int kernel, const float* queries, int64_t m, const float* data,
                       int64_t n, int64_t d, const float* weights, const float* bandwidths, float bandwidth,
                       int leave_one_out, float* score) {
    return on_context(context, [&](kgen::Backend& b) {
        check::pointer(score, "score");
        kgen::Reduction r = checked_reduction(b, kernel, queries, m, data, n, d, weights, bandwidths, bandwidth,
                                              leave_one_out);
        check::output_apart(r, score, m * d, "score");
        kgen::Epilogue out;
        // The Gaussian score follows from the mean alone; other kernels sum their gradients.
        if (kernel == KGEN_KERNEL_GAUSSIAN) out.score = score;
        else out.gradient = score;
        b.reduce(r, out);
    });
}

kgen_status kgen_gaussian_score_step(kgen_context* context, float* x, int64_t m, const float* data, int64_t n,
                                     int64_t d, const float* weights, const float* bandwidths, float bandwidth,
                                     float step, float noise, uint64_t seed, uint64_t stream, uint64_t offset) {
    return on_context(context, [&](kgen::Backend& b) {
        check::pointer(x, "x");  // the step's name for the queries
        check::finite(step, "step");
        check::finite(noise, "noise");
        kgen::Reduction r = checked_reduction(b, KGEN_KERNEL_GAUSSIAN, x, m, data, n, d, weights, bandwidths,
                                              bandwidth, 0);
        check::require(!check::overlap(x, m * d, data, n * d) && !check::overlap(x, m * d, weights, n) &&
                           !check::overlap(x, m * d, bandwidths, bandwidths ? m : 0),
                       "x must not overlap the data, the weights or the bandwidths: the step writes x in place");
        kgen::Epilogue out;
        out.euler.x = x;
        out.euler.step = step;
        out.euler.noise = noise;
        out.euler.seed = seed;
        out.euler.stream = stream;
        out.euler.offset = offset;
        b.reduce(r, out);
    });
}

kgen_status kgen_kernel_sum_partial(kgen_context* context, int kernel, const float* queries, int64_t m,
                                    const float* data, int64_t n, int64_t d, const float* weights,
                                    const float* bandwidths, float bandwidth, int leave_one_out, int64_t self_offset,
                                    float* max_logit, float* sum_exp, float* weighted_sum, float* gradient_sum) {
    return on_context(context, [&](kgen::Backend& b) {
        // A slice of the data need not match the queries in size, so leave-one-out is set by
        // offset rather than checked by m == n; a slice's weights may all be 0.
        kgen::Pairs pairs = check::pairs(b, queries, m, data, n, d, weights, check::WeightSum::kAny, 0);
        pairs.leave_one_out = leave_one_out != 0;
        pairs.self_offset = self_offset;
        kgen::Reduction r = check::reduction(b, pairs, kernel, bandwidths, bandwidth);
        r.uniform_log_weight = 0.0f;  // partial states carry unit weights
        check::partial_state(m, d, max_logit, sum_exp, weighted_sum, "");
        check::output_apart(r, max_logit, m, "max_logit");
        check::output_apart(r, sum_exp, m, "sum_exp");
        check::output_apart(r, weighted_sum, m * d, "weighted_sum");
        check::output_apart(r, gradient_sum, m * d, "gradient_sum");
        check::outputs_apart({{max_logit, m, "max_logit"}, {sum_exp, m, "sum_exp"},
                              {weighted_sum, m * d, "weighted_sum"}, {gradient_sum, m * d, "gradient_sum"}});
        b.reduce_partial(r, kgen::Partial{max_logit, sum_exp, weighted_sum, gradient_sum});
    });
}

kgen_status kgen_partial_merge(kgen_context* context, int64_t m, int64_t d, float* max_a, float* sum_a,
                               float* weighted_a, float* gradient_a, const float* max_b, const float* sum_b,
                               const float* weighted_b, const float* gradient_b) {
    return on_context(context, [&](kgen::Backend& b) {
        check::partial_state(m, d, max_a, sum_a, weighted_a, "a: ");
        check::partial_state(m, d, max_b, sum_b, weighted_b, "b: ");
        check::require((gradient_a == nullptr) == (gradient_b == nullptr),
                       "gradient_a and gradient_b must both be given or both be NULL");
        // a is written while b is read, so no part of a may be any part of b.
        check::outputs_apart({{max_a, m, "max_a"}, {sum_a, m, "sum_a"}, {weighted_a, m * d, "weighted_a"},
                              {gradient_a, m * d, "gradient_a"}, {max_b, m, "max_b"}, {sum_b, m, "sum_b"},
                              {weighted_b, m * d, "weighted_b"}, {gradient_b, m * d, "gradient_b"}});
        b.merge_partial(m, d, kgen::Partial{max_a, sum_a, weighted_a, gradient_a},
                        const_partial(max_b, sum_b, weighted_b, gradient_b));
    });
}

kgen_status kgen_partial_finalize(kgen_context* context, int64_t m, int64_t d, const float* max_logit,
                                  const float* sum_exp, const float* weighted_sum, const float* gradient_sum,
                                  float* lse, float* mean, float* gradient) {
    return on_context(context, [&](kgen::Backend& b) {
        check::partial_state(m, d, max_logit, sum_exp, weighted_sum, "");
        check::require(gradient == nullptr || gradient_sum != nullptr, "gradient needs gradient_sum");
        check::outputs_apart({{lse, m, "lse"}, {mean, m * d, "mean"}, {gradient, m * d, "gradient"},
                              {max_logit, m, "max_logit"}, {sum_exp, m, "sum_exp"},
                              {weighted_sum, m * d, "weighted_sum"}, {gradient_sum, m * d, "gradient_sum"}});
        kgen::Epilogue out;
        out.lse = lse;
        out.mean = mean;
        out.gradient = gradient;
        b.finalize_partial(m, d, const_partial(max_logit, sum_exp, weighted_sum, gradient_sum), out);
    });
}

kgen_status kgen_normal_fill(kgen_context* context, uint64_t seed, uint64_t stream, uint64_t offset, float* out,
                             int64_t count) {
    return on_context(context, [&](kgen::Backend& b) {
        check::not_negative(count, "count");
        if (count == 0) return;
        check::pointer(out, "out");
        b.normal_fill(seed, stream, offset, out, count);
    });
}

kgen_status kgen_uniform_fill(kgen_context* context, uint64_t seed, uint64_t stream, uint64_t offset, float* out,
                              int64_t count) {
    return on_context(context, [&](kgen::Backend& b) {
        check::not_negative(count, "count");
        if (count == 0) return;
        check::pointer(out, "out");
        b.uniform_fill(seed, stream, offset, out, count);
    });
}

kgen_status kgen_nearest_two(kgen_context* context, const float* queries, int64_t m, const float* data, int64_t n,
                             int64_t d, int leave_one_out, float* distances, int64_t* indices) {
    return on_context(context, [&](kgen::Backend& b) {
        kgen::Pairs p = check::pairs(b, queries, m, data, n, d, nullptr, check::WeightSum::kAny, leave_one_out);
        check::pointer(distances, "distances");
        check::output_apart(p, distances, 2 * m, "distances");
        // int64 indices span 2 floats each.
        check::output_apart(p, reinterpret_cast<const float*>(indices), indices ? 4 * m : 0, "indices");
        check::require(!check::overlap(distances, 2 * m, reinterpret_cast<const float*>(indices), indices ? 4 * m : 0),
                       "indices must not overlap distances");
        b.nearest_two(p, distances, indices);
    });
}

kgen_status kgen_distance_sum(kgen_context* context, const float* queries, int64_t m, const float* data, int64_t n,
                              int64_t d, const float* weights, int leave_one_out, float* sums) {
    return on_context(context, [&](kgen::Backend& b) {
        kgen::Pairs p = check::pairs(b, queries, m, data, n, d, weights, check::WeightSum::kAny, leave_one_out);
        check::pointer(sums, "sums");
        check::output_apart(p, sums, m, "sums");
        b.distance_sum(p, sums);
    });
}

kgen_status kgen_row_update(kgen_context* context, float* y, const float* a, const float* x, const float* row_scale,
                            int64_t m, int64_t d) {
    return on_context(context, [&](kgen::Backend& b) {
        check::positive(m, "m");
        check::positive(d, "d");
        check::pointer(y, "y");
        check::pointer(a, "a");
        check::pointer(row_scale, "row_scale");
        check::require(!check::overlap(y, m * d, a, m * d) && !check::overlap(y, m * d, x, m * d) &&
                           !check::overlap(y, m * d, row_scale, m),
                       "y must not overlap a, x or row_scale");
        b.row_update(y, a, x, row_scale, m, d);
    });
}

kgen_status kgen_sum_squares(kgen_context* context, const float* values, int64_t count, double* result) {
    return on_context(context, [&](kgen::Backend& b) {
        check::pointer(result, "result");
        check::not_negative(count, "count");
        *result = 0.0;
        if (count == 0) return;
        check::pointer(values, "values");
        *result = b.sum_squares(values, count);
    });
}

kgen_status kgen_particle_update(kgen_context* context, float* x, int64_t count, float alpha, const float* a,
                                 float beta, const float* b, float noise, uint64_t seed, uint64_t stream,
                                 uint64_t offset) {
    return on_context(context, [&](kgen::Backend& backend) {
        check::not_negative(count, "count");
        if (count == 0) return;
        check::pointer(x, "x");
        check::finite(alpha, "alpha");
        check::finite(beta, "beta");
        check::finite(noise, "noise");
        check::require(!check::overlap(x, count, a, count) && !check::overlap(x, count, b, count),
                       "x must not overlap a or b");
        kgen::ParticleUpdate u;
        u.x = x;
        u.count = count;
        u.alpha = alpha;
        u.a = a;
        u.beta = beta;
        u.b = b;
        u.noise = noise;
        u.seed = seed;
        u.stream = stream;
        u.offset = offset;
        backend.particle_update(u);
    });
}

}  // extern "C"
