/*
 * kgen C ABI: kernel sums, softmax-weighted means and scores on the CPU or a CUDA device.
 *
 * Conventions (the math is in MATH.md, section 1):
 * - Matrices are row-major float32: queries x is m x d, data y is n x d.
 * - Every pointer an operation reads or writes is context memory: memory from kgen_alloc
 *   (device memory on a CUDA context, host memory on a CPU context). Copies move data in and out.
 * - Every call returns a kgen_status. On failure kgen_last_error() gives a message for the
 *   calling thread; no call aborts the process or throws.
 * - A CUDA context's operations make its device current while they run and give the calling
 *   thread back the device it had: kgen never changes a caller's current CUDA device.
 * - Reproducibility: the same inputs on the same backend give the same bits, call after call.
 *   A CUDA reduction splits the data across blocks by the device's SM count, so on another GPU
 *   model the low bits of a result may differ (within the documented float32 error); the CPU
 *   backend's results do not depend on the machine's thread count.
 * - Logits: a_ij = log w_j + log k(x_i, y_j) with r = |x_i - y_j| and bandwidth b_i:
 *     Gaussian  log k = -r^2 / (2 b^2)
 *     Laplace   log k = -r / b
 *     Cauchy    log k = -((d + 1) / 2) log(1 + r^2 / b^2)   (multivariate Student-t, one degree
 *               of freedom: heavy tails, a proper density in every d)
 *   The bandwidth is one value for all queries, or one per query.
 * - The gradient output of a reduction is sum_j P_ij grad_x log k(x_i, y_j), the KDE score;
 *   pairs at r = 0 add nothing for the Laplace kernel (its subgradient there is taken as 0).
 * - Weights w_j >= 0 are taken as given. NULL weights mean uniform: 1/n, or 1/(n-1) with
 *   leave-one-out, so the LSE carries the 1/N of a density.
 * - Leave-one-out skips the pair (i, j = i): queries and data are the same set (m == n).
 * - Per-query bandwidths and weights decide what a call means, so every operation checks them
 *   (NaN, infinite, negative, a bandwidth too small for float logits, weights summing to 0 give
 *   KGEN_INVALID_ARGUMENT naming the first bad entry). Queries and data are not scanned by the
 *   reductions: kgen_scan lets a caller check them on the context once and trust them after.
 *   A CUDA context checks weights and bandwidths on the device, in a pass of the operation
 *   itself, so that the call need not wait for the device: the call returns KGEN_OK once its
 *   work is queued, and the next call on the context that waits for the device (a copy to or from
 *   the host, kgen_synchronize, kgen_scan, kgen_sum_squares) returns KGEN_INVALID_ARGUMENT with
 *   the same message, once; the outputs of the operation that failed are undefined.
 * - Ordering on a CUDA context: operations run in call order on the context's stream and the call
 *   returns once the work is queued; only the calls named above wait for it. Other CUDA code hands
 *   off through kgen_record_event / kgen_wait_event / kgen_wait_stream.
 */
#ifndef KGEN_H
#define KGEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KGEN_ABI_VERSION 5

typedef enum kgen_status {
    KGEN_OK = 0,
    KGEN_INVALID_ARGUMENT = 1, /* a shape, pointer or value the operation cannot take */
    KGEN_OUT_OF_MEMORY = 2,    /* host or device allocation failed */
    KGEN_DEVICE_ERROR = 3,     /* the CUDA runtime reported an error; the message has its text */
    KGEN_UNAVAILABLE = 4,      /* backend not compiled in, or no usable device */
    KGEN_INTERNAL = 5,         /* a bug in kgen: please report the message */
    KGEN_CONTEXT_LOST = 6      /* a device fault (an illegal address, say) left the context
                                  unusable: this call and every later call on the context return
                                  it with the original error; free and destroy still succeed.
                                  Destroy the context and create a new one: once no context of
                                  this library uses the device, the new one resets it. */
} kgen_status;

typedef enum kgen_backend { KGEN_BACKEND_CPU = 0, KGEN_BACKEND_CUDA = 1 } kgen_backend;

typedef enum kgen_kernel {
    KGEN_KERNEL_GAUSSIAN = 0,
    KGEN_KERNEL_LAPLACE = 1,
    KGEN_KERNEL_CAUCHY = 2
} kgen_kernel;

/* The CPU backend's two paths: fast (float32 tiles, vectorized, the default) and reference
   (float64 sums, one query at a time: the oracle's twin). */
typedef enum kgen_cpu_path { KGEN_CPU_FAST = 0, KGEN_CPU_REFERENCE = 1 } kgen_cpu_path;

/* The instruction set of the fast path's kernels. AUTO: KGEN_CPU_ISA (portable, avx2 or avx512)
   when set, else the best one this CPU supports. */
typedef enum kgen_cpu_isa {
    KGEN_CPU_ISA_AUTO = 0,
    KGEN_CPU_ISA_PORTABLE = 1,
    KGEN_CPU_ISA_AVX2 = 2, /* AVX2 + FMA */
    KGEN_CPU_ISA_AVX512 = 3
} kgen_cpu_isa;

typedef struct kgen_context kgen_context;

/* ---- library ---------------------------------------------------------------------------- */

int kgen_abi_version(void);
/* Message of the last failed call on this thread ("" if none). Valid until the next call. */
const char* kgen_last_error(void);
/* 1 when the CUDA backend is compiled in. */
int kgen_cuda_compiled(void);
/* How the library was built: version, CUDA toolkit and the GPU architectures compiled for. */
const char* kgen_build_info(void);
/* Number of usable CUDA devices: 0 when CUDA is not compiled in or no driver/device is present. */
kgen_status kgen_cuda_device_count(int* count);

/* ---- contexts --------------------------------------------------------------------------- */

/*
 * backend: a kgen_backend; device: the CUDA device index (ignored for the CPU). A CUDA context
 * reads KGEN_CUDA_PRECISION when it is created: unset or "3xtf32" (the default: kernel sums at
 * d >= 32 on tensor cores with about float32's accuracy) or "tf32" (faster, about 5e-4 relative
 * error in the products: MATH.md section 7); any other value is KGEN_INVALID_ARGUMENT.
 */
kgen_status kgen_context_create(int backend, int device, kgen_context** context);
/*
 * A CPU context with its own worker threads (started once, asleep between calls). threads: the
 * number of threads, calling thread included; 0 means KGEN_THREADS when set, else every hardware
 * thread. Results are bit-identical for every thread count. path: a kgen_cpu_path; isa: a
 * kgen_cpu_isa (KGEN_UNAVAILABLE when this CPU lacks it). kgen_context_create with
 * KGEN_BACKEND_CPU is this call with (0, KGEN_CPU_FAST, KGEN_CPU_ISA_AUTO).
 */
kgen_status kgen_cpu_context_create(int threads, int path, int isa, kgen_context** context);
/* The thread count of a CPU context created with threads = 0: KGEN_THREADS when set (a positive
   integer; anything else is KGEN_INVALID_ARGUMENT), else every hardware thread. */
kgen_status kgen_cpu_default_threads(int* threads);
/*
 * Hands the CPU fast path an OpenBLAS shared library (a path dlopen accepts, or a file name it
 * finds): CPU contexts created afterwards run their GEMM-shaped blocks at d > 32 with its
 * cblas_sgemm instead of the hand-written ones (unless KGEN_CPU_BLAS=off when they are created;
 * KGEN_CPU_BLAS=on makes creating one fail with KGEN_UNAVAILABLE when none was loaded). The library
 * is set to one thread (openblas_set_num_threads(1)), which holds for every user of it in the
 * process: each of a context's threads calls it for one block at a time, so the bits still do not
 * depend on the thread count. KGEN_UNAVAILABLE when it cannot be opened or is not an OpenBLAS;
 * the hand-written blocks then stay in use. The Java layer calls this with JavaCPP's OpenBLAS
 * when that is on the class path.
 */
kgen_status kgen_cpu_blas_load(const char* library_path);
kgen_status kgen_context_destroy(kgen_context* context);
/* One line describing the backend and device (name, memory, driver, architectures). */
kgen_status kgen_context_describe(kgen_context* context, char* buffer, size_t capacity);
/* Waits for all work queued on the context (and reports a failed device-side check, above). */
kgen_status kgen_synchronize(kgen_context* context);
/*
 * Hand-offs with code that drives the same CUDA device itself (JCuda, a CUDA library). Handles
 * are the caller's cudaEvent_t / cudaStream_t (the same objects as the driver's CUevent /
 * CUstream). kgen_wait_event: the context's later work waits for the event's last record;
 * kgen_wait_stream: for all work queued on the stream so far (NULL: the legacy default stream);
 * kgen_record_event: records the event after all of the context's work queued so far. Neither
 * blocks the calling thread. KGEN_INVALID_ARGUMENT on a CPU context or for a NULL event.
 */
kgen_status kgen_wait_event(kgen_context* context, void* cuda_event);
kgen_status kgen_wait_stream(kgen_context* context, void* cuda_stream);
kgen_status kgen_record_event(kgen_context* context, void* cuda_event);

/* ---- memory ----------------------------------------------------------------------------- */

kgen_status kgen_alloc(kgen_context* context, size_t bytes, void** pointer);
kgen_status kgen_free(kgen_context* context, void* pointer);
kgen_status kgen_memory_info(kgen_context* context, size_t* free_bytes, size_t* total_bytes);
/* host -> context, context -> host, context -> context. A copy with host memory is complete on
   return; a copy within the context is ordered before the context's later work (hand it to other
   CUDA streams with kgen_record_event). */
kgen_status kgen_copy_to_context(kgen_context* context, void* dst, const void* host_src, size_t bytes);
kgen_status kgen_copy_to_host(kgen_context* context, void* host_dst, const void* src, size_t bytes);
kgen_status kgen_copy_within(kgen_context* context, void* dst, const void* src, size_t bytes);
kgen_status kgen_fill(kgen_context* context, float* dst, float value, int64_t count);
/*
 * Scans count values for bad entries: NaN, infinite, or below `lower` (-INFINITY: only the
 * finite check). bad_count: how many; first_bad: the smallest bad index, -1 when none;
 * sum: the sum of all values in double (any order). first_bad and sum may be NULL.
 */
kgen_status kgen_scan(kgen_context* context, const float* values, int64_t count, float lower,
                      int64_t* bad_count, int64_t* first_bad, double* sum);
/* The smallest bandwidth a kernel takes in dimension d: below it the logit scale overflows
   float. NaN for an unknown kernel or d < 1. */
float kgen_min_bandwidth(int kernel, int64_t d);

/* ---- kernel sums (MATH.md section 1) ----------------------------------------------------- */

/*
 * For every query i: lse[i] = log sum_j exp(a_ij) (m), mean = sum_j P_ij y_j (m x d), and
 * gradient = sum_j P_ij grad_x log k(x_i, y_j) (m x d). Outputs may be NULL when not wanted, not
 * all three. bandwidths: m values, or NULL to use `bandwidth` for every query.
 */
kgen_status kgen_kernel_sum(kgen_context* context, int kernel,
                            const float* queries, int64_t m, const float* data, int64_t n, int64_t d,
                            const float* weights, const float* bandwidths, float bandwidth,
                            int leave_one_out,
                            float* lse, float* mean, float* gradient);

/* KDE log-density with the normalised kernel: log p(x_i) = LSE_i - log Z_k(d, b_i) (MATH.md). */
kgen_status kgen_log_density(kgen_context* context, int kernel,
                             const float* queries, int64_t m, const float* data, int64_t n,
                             int64_t d, const float* weights, const float* bandwidths,
                             float bandwidth, int leave_one_out, float* log_density);

/* KDE score grad log p(x_i) (m x d); for the Gaussian kernel (MEAN_i - x_i) / h_i^2. */
kgen_status kgen_score(kgen_context* context, int kernel,
                       const float* queries, int64_t m, const float* data, int64_t n,
                       int64_t d, const float* weights, const float* bandwidths,
                       float bandwidth, int leave_one_out, float* score);

/*
 * One Euler-Maruyama step of the reverse SDE with the Gaussian empirical score, fused into the
 * reduction: x_i <- x_i + step (MEAN_i - x_i) / h_i^2 + noise z_i, where MEAN is over the data at
 * bandwidth h and z_i holds Philox normal elements offset + i d + k of (seed, stream), the draws
 * of kgen_normal_fill (offset: where these rows start in a larger run split across contexts or
 * machines). x is read and written in place (it must not be the data); noise 0 draws nothing
 * (the probability-flow ODE).
 */
kgen_status kgen_gaussian_score_step(kgen_context* context, float* x, int64_t m, const float* data,
                                     int64_t n, int64_t d, const float* weights,
                                     const float* bandwidths, float bandwidth, float step, float noise,
                                     uint64_t seed, uint64_t stream, uint64_t offset);

/*
 * The mergeable partial state (MATH.md section 1) over a slice of the data, so that a caller can
 * split the data (across devices or nodes) and merge: max_logit (m), sum_exp = sum exp(a - max)
 * (m), weighted_sum = sum exp(a - max) y_j (m x d), and gradient_sum =
 * sum exp(a - max) grad_x log k(x_i, y_j) (m x d, or NULL).
 * Here NULL weights mean unit weights: add the log of a common weight to max_logit.
 * With leave_one_out, the pair (i, j) is skipped where j == i + self_offset (for a slice that
 * starts at global data row j0, with queries from global row 0, self_offset = -j0).
 * A query whose slice holds no pair gets max_logit = -inf, sum_exp = 0 and zero sums.
 */
kgen_status kgen_kernel_sum_partial(kgen_context* context, int kernel,
                                    const float* queries, int64_t m, const float* data, int64_t n,
                                    int64_t d, const float* weights, const float* bandwidths,
                                    float bandwidth, int leave_one_out, int64_t self_offset,
                                    float* max_logit, float* sum_exp, float* weighted_sum,
                                    float* gradient_sum);

/* a <- merge(a, b), in place. The gradient sums are both NULL or both given. */
kgen_status kgen_partial_merge(kgen_context* context, int64_t m, int64_t d,
                               float* max_a, float* sum_a, float* weighted_a, float* gradient_a,
                               const float* max_b, const float* sum_b, const float* weighted_b,
                               const float* gradient_b);

/* Partial state -> lse, mean, gradient (each optional; gradient needs gradient_sum). */
kgen_status kgen_partial_finalize(kgen_context* context, int64_t m, int64_t d,
                                  const float* max_logit, const float* sum_exp,
                                  const float* weighted_sum, const float* gradient_sum,
                                  float* lse, float* mean, float* gradient);

/* ---- nearest neighbours and distance sums (metrics, MATH.md section 6) -------------------- */

/*
 * For every query: the Euclidean distances to its nearest and second nearest data rows
 * (distances, m x 2, ascending) and their row indices (indices, m x 2, or NULL). With
 * leave_one_out (m == n) the pair j == i is skipped. Where fewer than two rows remain, the
 * missing entries are +inf with index -1. Ties go to the smaller index.
 */
kgen_status kgen_nearest_two(kgen_context* context, const float* queries, int64_t m,
                             const float* data, int64_t n, int64_t d, int leave_one_out,
                             float* distances, int64_t* indices);

/*
 * For every query: sums[i] = sum_j w_j |x_i - y_j| (Euclidean), with w_j = 1 when weights is NULL
 * (the mean distance is then sums / n). With leave_one_out (m == n) the pair j == i is skipped.
 */
kgen_status kgen_distance_sum(kgen_context* context, const float* queries, int64_t m,
                              const float* data, int64_t n, int64_t d, const float* weights,
                              int leave_one_out, float* sums);

/* ---- random numbers --------------------------------------------------------------------- */

/*
 * Philox4x32-10 keyed by seed, counter (index / 4, stream): element k of a stream is
 * lane k % 4 of block k / 4, so any range of any stream can be drawn anywhere (CPU, CUDA, the
 * Java twin) with identical bits. out[i] is element offset + i.
 * Normals: Box-Muller on lane pairs, computed with + - * / and sqrt only, so they are bitwise
 * reproducible. Uniforms: [0, 1) with 24 random bits.
 */
kgen_status kgen_normal_fill(kgen_context* context, uint64_t seed, uint64_t stream, uint64_t offset,
                             float* out, int64_t count);
kgen_status kgen_uniform_fill(kgen_context* context, uint64_t seed, uint64_t stream,
                              uint64_t offset, float* out, int64_t count);

/* ---- particle updates ------------------------------------------------------------------ */

/*
 * x[k] <- x[k] + alpha a[k] + beta b[k] + noise z_k for k < count, where z_k is Philox normal
 * element offset + k of stream `stream` under `seed` (the same draw as kgen_normal_fill). a and b
 * may be NULL (their term is absent); noise may be 0 (no draw is made). This is the update of an
 * Euler-Maruyama step, a drifting step or a debiasing step, applied on the context so that a
 * trajectory never leaves it.
 */
kgen_status kgen_particle_update(kgen_context* context, float* x, int64_t count, float alpha,
                                 const float* a, float beta, const float* b, float noise,
                                 uint64_t seed, uint64_t stream, uint64_t offset);

/*
 * y[i, :] += row_scale[i] (a[i, :] - x[i, :]) for every row i < m (x NULL: y += row_scale a).
 * A per-row weighted displacement, as drifting's batch-normalised field needs.
 */
kgen_status kgen_row_update(kgen_context* context, float* y, const float* a, const float* x,
                            const float* row_scale, int64_t m, int64_t d);

/* The sum of squares of count values, accumulated in double, in an order fixed by count. */
kgen_status kgen_sum_squares(kgen_context* context, const float* values, int64_t count,
                             double* result);

#ifdef __cplusplus
}
#endif

#endif /* KGEN_H */
