// The C ABI: argument checks, errors as status codes plus a thread-local message, and dispatch
// to the context's backend. Nothing below this file sees an unchecked argument.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "backend.h"
#include "errors.h"
#include "kgen.h"

#define KGEN_STRINGIFY_INNER(x) #x
#define KGEN_STRINGIFY(x) KGEN_STRINGIFY_INNER(x)

struct kgen_context {
    std::unique_ptr<kgen::Backend> backend;
};

namespace {

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

std::string str(double v) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.9g", v);
    return buffer;
}

kgen::Backend& backend_of(kgen_context* context) {
    if (context == nullptr) throw kgen::invalid_argument("context is NULL");
    return *context->backend;
}

void require(bool condition, const std::string& message) {
    if (!condition) throw kgen::invalid_argument(message);
}

void require_pointer(const void* p, const char* name) {
    require(p != nullptr, std::string(name) + " is NULL");
}

void require_positive(int64_t value, const char* name) {
    require(value > 0, std::string(name) + " must be positive, got " + std::to_string(value));
}

// Checks shared by every reduction; fills in the uniform weight.
kgen::Reduction check_reduction(int kernel, const float* queries, int64_t m, const float* data,
                                int64_t n, int64_t d, const float* weights,
                                const float* bandwidths, float bandwidth, int leave_one_out) {
    require(kernel == KGEN_KERNEL_GAUSSIAN || kernel == KGEN_KERNEL_LAPLACE,
            "kernel must be KGEN_KERNEL_GAUSSIAN (0) or KGEN_KERNEL_LAPLACE (1), got " +
                std::to_string(kernel));
    require_positive(m, "m");
    require_positive(n, "n");
    require_positive(d, "d");
    require_pointer(queries, "queries");
    require_pointer(data, "data");
    if (bandwidths == nullptr) {
        require(std::isfinite(bandwidth) && bandwidth > 0.0f,
                "bandwidth must be positive and finite, got " + str(bandwidth));
        // Kernels scale logits by c log2(e), c = 1/(2 h^2) or 1/tau: that must stay finite.
        float c = kernel == KGEN_KERNEL_GAUSSIAN ? 1.0f / (2.0f * bandwidth * bandwidth) : 1.0f / bandwidth;
        require(std::isfinite(c * 1.4426950408889634f),
                "bandwidth " + str(bandwidth) + " is too small: its logit scale overflows float");
    }
    kgen::Reduction r;
    r.kernel = kernel;
    r.queries = queries;
    r.m = m;
    r.data = data;
    r.n = n;
    r.d = d;
    r.weights = weights;
    r.bandwidths = bandwidths;
    r.bandwidth = bandwidth;
    r.leave_one_out = leave_one_out != 0;
    if (r.leave_one_out) {
        require(m == n, "leave_one_out needs queries and data to be the same set, but m = " +
                            std::to_string(m) + " and n = " + std::to_string(n));
        require(n >= 2, "leave_one_out needs n >= 2, got n = " + std::to_string(n));
    }
    int64_t others = r.leave_one_out ? n - 1 : n;
    r.uniform_log_weight = (float)(-std::log((double)others));
    return r;
}

// Whether [a, a + a_count) and [b, b + b_count) share any float (b may be NULL).
bool overlap(const float* a, int64_t a_count, const float* b, int64_t b_count) {
    if (a == nullptr || b == nullptr) return false;
    return a < b + b_count && b < a + a_count;
}

// An output of `count` floats must not overlap what the reduction reads (kernels read inputs
// after other blocks have written outputs).
void require_no_alias(const kgen::Reduction& r, const float* out, int64_t count, const char* name) {
    require(!overlap(out, count, r.queries, r.m * r.d) && !overlap(out, count, r.data, r.n * r.d),
            std::string(name) + " must not overlap the queries or the data");
}

// Shapes and leave-one-out of a kernel-free pairwise reduction.
kgen::Reduction check_pairwise(const float* queries, int64_t m, const float* data, int64_t n, int64_t d,
                               const float* weights, int leave_one_out) {
    // The kernel and bandwidth are unused: 1 passes the bandwidth checks.
    return check_reduction(KGEN_KERNEL_GAUSSIAN, queries, m, data, n, d, weights, nullptr, 1.0f, leave_one_out);
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
        require_pointer(count, "count");
        *count = kgen::cuda_device_count();
    });
}

kgen_status kgen_context_create(int backend, int device, kgen_context** context) {
    return guarded([&] {
        require_pointer(context, "context");
        *context = nullptr;
        std::unique_ptr<kgen_context> created(new kgen_context());
        if (backend == KGEN_BACKEND_CPU) {
            created->backend.reset(kgen::create_cpu_backend());
        } else if (backend == KGEN_BACKEND_CUDA) {
            require(device >= 0, "device must be >= 0, got " + std::to_string(device));
            created->backend.reset(kgen::create_cuda_backend(device));
        } else {
            throw kgen::invalid_argument("backend must be KGEN_BACKEND_CPU (0) or "
                                         "KGEN_BACKEND_CUDA (1), got " + std::to_string(backend));
        }
        *context = created.release();
    });
}

kgen_status kgen_context_destroy(kgen_context* context) {
    return guarded([&] { delete context; });
}

kgen_status kgen_context_describe(kgen_context* context, char* buffer, size_t capacity) {
    return guarded([&] {
        std::string text = backend_of(context).describe();
        require_pointer(buffer, "buffer");
        require(capacity > 0, "capacity must be positive");
        std::strncpy(buffer, text.c_str(), capacity - 1);
        buffer[capacity - 1] = '\0';
    });
}

kgen_status kgen_synchronize(kgen_context* context) {
    return guarded([&] { backend_of(context).synchronize(); });
}

kgen_status kgen_alloc(kgen_context* context, size_t bytes, void** pointer) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        require_pointer(pointer, "pointer");
        *pointer = nullptr;
        require(bytes > 0, "bytes must be positive, got 0");
        *pointer = b.alloc(bytes);
    });
}

kgen_status kgen_free(kgen_context* context, void* pointer) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        if (pointer != nullptr) b.release(pointer);
    });
}

kgen_status kgen_memory_info(kgen_context* context, size_t* free_bytes, size_t* total_bytes) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        require_pointer(free_bytes, "free_bytes");
        require_pointer(total_bytes, "total_bytes");
        b.memory_info(free_bytes, total_bytes);
    });
}

kgen_status kgen_copy_to_context(kgen_context* context, void* dst, const void* host_src,
                                 size_t bytes) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        if (bytes == 0) return;
        require_pointer(dst, "dst");
        require_pointer(host_src, "host_src");
        b.copy_to_context(dst, host_src, bytes);
    });
}

kgen_status kgen_copy_to_host(kgen_context* context, void* host_dst, const void* src, size_t bytes) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        if (bytes == 0) return;
        require_pointer(host_dst, "host_dst");
        require_pointer(src, "src");
        b.copy_to_host(host_dst, src, bytes);
    });
}

kgen_status kgen_copy_within(kgen_context* context, void* dst, const void* src, size_t bytes) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        if (bytes == 0) return;
        require_pointer(dst, "dst");
        require_pointer(src, "src");
        b.copy_within(dst, src, bytes);
    });
}

kgen_status kgen_fill(kgen_context* context, float* dst, float value, int64_t count) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        require(count >= 0, "count must be >= 0, got " + std::to_string(count));
        if (count == 0) return;
        require_pointer(dst, "dst");
        b.fill(dst, value, count);
    });
}

kgen_status kgen_count_nonfinite(kgen_context* context, const float* values, int64_t count,
                                 int64_t* nonfinite, int64_t* first_index) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        require_pointer(nonfinite, "nonfinite");
        require_pointer(first_index, "first_index");
        require(count >= 0, "count must be >= 0, got " + std::to_string(count));
        *nonfinite = 0;
        *first_index = -1;
        if (count == 0) return;
        require_pointer(values, "values");
        b.count_nonfinite(values, count, nonfinite, first_index);
    });
}

kgen_status kgen_kernel_sum(kgen_context* context, int kernel, const float* queries, int64_t m,
                            const float* data, int64_t n, int64_t d, const float* weights,
                            const float* bandwidths, float bandwidth, int leave_one_out,
                            float* lse, float* mean, float* laplace_grad) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        kgen::Reduction r = check_reduction(kernel, queries, m, data, n, d, weights, bandwidths,
                                            bandwidth, leave_one_out);
        require(laplace_grad == nullptr || kernel == KGEN_KERNEL_LAPLACE,
                "laplace_grad needs the Laplace kernel");
        require(lse != nullptr || mean != nullptr || laplace_grad != nullptr,
                "no output requested: lse, mean and laplace_grad are all NULL");
        require_no_alias(r, lse, m, "lse");
        require_no_alias(r, mean, m * d, "mean");
        require_no_alias(r, laplace_grad, m * d, "laplace_grad");
        kgen::Epilogue out;
        out.lse = lse;
        out.mean = mean;
        out.laplace_grad = laplace_grad;
        b.reduce(r, out);
    });
}

kgen_status kgen_gaussian_log_density(kgen_context* context, const float* queries, int64_t m,
                                      const float* data, int64_t n, int64_t d,
                                      const float* weights, const float* bandwidths,
                                      float bandwidth, int leave_one_out, float* log_density) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        kgen::Reduction r = check_reduction(KGEN_KERNEL_GAUSSIAN, queries, m, data, n, d, weights,
                                            bandwidths, bandwidth, leave_one_out);
        require_pointer(log_density, "log_density");
        require_no_alias(r, log_density, m, "log_density");
        kgen::Epilogue out;
        out.log_density = log_density;
        b.reduce(r, out);
    });
}

kgen_status kgen_gaussian_score(kgen_context* context, const float* queries, int64_t m,
                                const float* data, int64_t n, int64_t d, const float* weights,
                                const float* bandwidths, float bandwidth, int leave_one_out,
                                float* score) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        kgen::Reduction r = check_reduction(KGEN_KERNEL_GAUSSIAN, queries, m, data, n, d, weights,
                                            bandwidths, bandwidth, leave_one_out);
        require_pointer(score, "score");
        require_no_alias(r, score, m * d, "score");
        kgen::Epilogue out;
        out.score = score;
        b.reduce(r, out);
    });
}

kgen_status kgen_gaussian_score_step(kgen_context* context, float* x, int64_t m, const float* data,
                                     int64_t n, int64_t d, const float* weights, const float* bandwidths,
                                     float bandwidth, float step, float noise, uint64_t seed, uint64_t stream) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        kgen::Reduction r = check_reduction(KGEN_KERNEL_GAUSSIAN, x, m, data, n, d, weights, bandwidths,
                                            bandwidth, 0);
        require(!overlap(x, m * d, data, n * d), "x must not overlap the data: the step writes x in place");
        require(std::isfinite(step), "step must be finite, got " + str(step));
        require(std::isfinite(noise), "noise must be finite, got " + str(noise));
        kgen::Epilogue out;
        out.euler_step = true;
        out.step = step;
        out.noise = noise;
        out.seed = seed;
        out.stream = stream;
        b.reduce(r, out);
    });
}

kgen_status kgen_kernel_sum_partial(kgen_context* context, int kernel, const float* queries,
                                    int64_t m, const float* data, int64_t n, int64_t d,
                                    const float* weights, const float* bandwidths, float bandwidth,
                                    int leave_one_out, int64_t self_offset, float* max_logit,
                                    float* sum_exp, float* weighted_sum, float* laplace_sum) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        // A slice of the data need not match the queries in size, so leave-one-out is checked
        // here by offset rather than by m == n.
        kgen::Reduction r = check_reduction(kernel, queries, m, data, n, d, weights, bandwidths,
                                            bandwidth, 0);
        r.leave_one_out = leave_one_out != 0;
        r.self_offset = self_offset;
        r.uniform_log_weight = 0.0f;
        require_pointer(max_logit, "max_logit");
        require_pointer(sum_exp, "sum_exp");
        require_pointer(weighted_sum, "weighted_sum");
        require(laplace_sum == nullptr || kernel == KGEN_KERNEL_LAPLACE,
                "laplace_sum needs the Laplace kernel");
        kgen::Partial out{max_logit, sum_exp, weighted_sum, laplace_sum};
        b.reduce_partial(r, out);
    });
}

kgen_status kgen_partial_merge(kgen_context* context, int64_t m, int64_t d, float* max_a,
                               float* sum_a, float* weighted_a, float* laplace_a,
                               const float* max_b, const float* sum_b, const float* weighted_b,
                               const float* laplace_b) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        require_positive(m, "m");
        require_positive(d, "d");
        require_pointer(max_a, "max_a");
        require_pointer(sum_a, "sum_a");
        require_pointer(weighted_a, "weighted_a");
        require_pointer(max_b, "max_b");
        require_pointer(sum_b, "sum_b");
        require_pointer(weighted_b, "weighted_b");
        require((laplace_a == nullptr) == (laplace_b == nullptr),
                "laplace_a and laplace_b must both be given or both be NULL");
        kgen::Partial a{max_a, sum_a, weighted_a, laplace_a};
        kgen::Partial other{const_cast<float*>(max_b), const_cast<float*>(sum_b),
                            const_cast<float*>(weighted_b), const_cast<float*>(laplace_b)};
        b.merge_partial(m, d, a, other);
    });
}

kgen_status kgen_partial_finalize(kgen_context* context, int64_t m, int64_t d,
                                  const float* max_logit, const float* sum_exp,
                                  const float* weighted_sum, const float* laplace_sum, float* lse,
                                  float* mean, float* laplace_grad) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        require_positive(m, "m");
        require_positive(d, "d");
        require_pointer(max_logit, "max_logit");
        require_pointer(sum_exp, "sum_exp");
        require_pointer(weighted_sum, "weighted_sum");
        require(laplace_grad == nullptr || laplace_sum != nullptr,
                "laplace_grad needs laplace_sum");
        kgen::Partial state{const_cast<float*>(max_logit), const_cast<float*>(sum_exp),
                            const_cast<float*>(weighted_sum), const_cast<float*>(laplace_sum)};
        kgen::Epilogue out;
        out.lse = lse;
        out.mean = mean;
        out.laplace_grad = laplace_grad;
        b.finalize_partial(m, d, state, out);
    });
}

kgen_status kgen_normal_fill(kgen_context* context, uint64_t seed, uint64_t stream, uint64_t offset,
                             float* out, int64_t count) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        require(count >= 0, "count must be >= 0, got " + std::to_string(count));
        if (count == 0) return;
        require_pointer(out, "out");
        b.normal_fill(seed, stream, offset, out, count);
    });
}

kgen_status kgen_uniform_fill(kgen_context* context, uint64_t seed, uint64_t stream,
                              uint64_t offset, float* out, int64_t count) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        require(count >= 0, "count must be >= 0, got " + std::to_string(count));
        if (count == 0) return;
        require_pointer(out, "out");
        b.uniform_fill(seed, stream, offset, out, count);
    });
}

kgen_status kgen_nearest_two(kgen_context* context, const float* queries, int64_t m, const float* data,
                             int64_t n, int64_t d, int leave_one_out, float* distances, int64_t* indices) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        kgen::Reduction r = check_pairwise(queries, m, data, n, d, nullptr, leave_one_out);
        require_pointer(distances, "distances");
        require_no_alias(r, distances, 2 * m, "distances");
        b.nearest_two(r, distances, indices);
    });
}

kgen_status kgen_distance_sum(kgen_context* context, const float* queries, int64_t m, const float* data,
                              int64_t n, int64_t d, const float* weights, int leave_one_out, float* sums) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        kgen::Reduction r = check_pairwise(queries, m, data, n, d, weights, leave_one_out);
        require_pointer(sums, "sums");
        require_no_alias(r, sums, m, "sums");
        b.distance_sum(r, sums);
    });
}

kgen_status kgen_row_update(kgen_context* context, float* y, const float* a, const float* x,
                            const float* row_scale, int64_t m, int64_t d) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        require_positive(m, "m");
        require_positive(d, "d");
        require_pointer(y, "y");
        require_pointer(a, "a");
        require_pointer(row_scale, "row_scale");
        require(!overlap(y, m * d, a, m * d) && !overlap(y, m * d, x, m * d), "y must not overlap a or x");
        b.row_update(y, a, x, row_scale, m, d);
    });
}

kgen_status kgen_sum_squares(kgen_context* context, const float* values, int64_t count, double* result) {
    return guarded([&] {
        kgen::Backend& b = backend_of(context);
        require_pointer(result, "result");
        require(count >= 0, "count must be >= 0, got " + std::to_string(count));
        *result = 0.0;
        if (count == 0) return;
        require_pointer(values, "values");
        *result = b.sum_squares(values, count);
    });
}

kgen_status kgen_particle_update(kgen_context* context, float* x, int64_t count, float alpha,
                                 const float* a, float beta, const float* b, float noise,
                                 uint64_t seed, uint64_t stream, uint64_t offset) {
    return guarded([&] {
        kgen::Backend& backend = backend_of(context);
        require(count >= 0, "count must be >= 0, got " + std::to_string(count));
        if (count == 0) return;
        require_pointer(x, "x");
        require(std::isfinite(alpha), "alpha must be finite, got " + str(alpha));
        require(std::isfinite(beta), "beta must be finite, got " + str(beta));
        require(std::isfinite(noise), "noise must be finite, got " + str(noise));
        require(!overlap(x, count, a, count) && !overlap(x, count, b, count), "x must not overlap a or b");
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
