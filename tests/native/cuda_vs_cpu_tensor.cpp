// The tensor-core kernel sums (native/src/cuda/kernel_sums_tensor.cu: d >= 32, no gradient sums)
// against the CPU backend at shapes that are no multiple of its tiles (64 queries, 64 data rows,
// 32 coordinates), and its two precisions (KGEN_CUDA_PRECISION) measured against float64 on
// MNIST-like and N(0, I) data, the errors printed beside the CPU's float32 fast path's.
#include <algorithm>
#include <cstdlib>

#include "abi_inputs.h"
#include "cuda_vs_cpu.h"

namespace kgen_test {
namespace {

struct Sums {
    std::vector<float> lse, mean;
};

// lse and mean without gradient sums: the tensor path serves the call.
Sums tensor_sums(kgen_context* context, const reference::Problem& p) {
    const Uploaded in(context, p);
    Floats lse(context, p.m), mean(context, p.m * p.d);
    CHECK_OK(kgen_kernel_sum(context, p.kernel, in.query_pointer(), p.m, in.data.get(), p.n, p.d, in.weight_pointer(),
                             in.bandwidth_pointer(), scalar_bandwidth(p), p.leave_one_out, lse.get(), mean.get(),
                             nullptr));
    return Sums{lse.host(), mean.host()};
}

void compare_tensor_case(const Backends& backends, const Case& c, Rng& rng) {
    const reference::Problem p = random_problem(c, rng);
    const reference::Sums scale = reference::kernel_sums(p);  // for the error scales only
    const auto [cpu, cuda] = backends.both([&](kgen_context* context) { return tensor_sums(context, p); });
    const std::string name = "tensor path, " + describe(c);
    EXPECT_CLOSE("lse, " + name, cuda.lse, widened(cpu.lse), widened_rows(scale.lse_scale, scale, c.d),
                 kCudaTolerance);
    EXPECT_CLOSE("mean, " + name, cuda.mean, widened(cpu.mean), widened_rows(scale.mean_scale, scale, c.d),
                 kCudaTolerance);
}

// ---- precision against float64 -------------------------------------------------------------

// Digit-like 28 x 28 images: a blob of ink at a random place and width, pixels in [0, 1], most 0.
std::vector<float> mnist_like(int64_t count, Rng& rng) {
    std::vector<float> out((size_t)(count * 784));
    for (int64_t i = 0; i < count; ++i) {
        const double cr = rng.uniform(9, 19), cc = rng.uniform(9, 19), width = rng.uniform(3, 6);
        for (int r = 0; r < 28; ++r) {
            for (int c = 0; c < 28; ++c) {
                const double dist2 = (r - cr) * (r - cr) + (c - cc) * (c - cc);
                const double ink = 1.6 * std::exp(-dist2 / (2 * width * width)) * rng.uniform(0.6, 1.0) - 0.3;
                out[(size_t)(i * 784 + r * 28 + c)] = (float)std::clamp(ink, 0.0, 1.0);
            }
        }
    }
    return out;
}

// The worst errors over all queries: lse in units of 1 + |lse|, the mean in units of the
// query's largest mean entry (an entry of 1e-20, a pixel that only far images ink, would
// otherwise measure float32's underflow).
struct Errors {
    double lse = 0, mean = 0;
};

Errors errors_of(const Sums& got, const reference::Sums& want, int64_t d) {
    Errors e;
    for (size_t i = 0; i < got.lse.size(); ++i) {
        e.lse = std::max(e.lse, std::fabs(got.lse[i] - want.lse[i]) / want.lse_scale[i]);
        const double* scale = &want.mean_scale[i * d];
        const double row_scale = *std::max_element(scale, scale + d);
        for (int64_t k = 0; k < d; ++k) {
            e.mean = std::max(e.mean, std::fabs(got.mean[i * d + k] - want.mean[i * d + k]) / row_scale);
        }
    }
    return e;
}

// Gaussian lse and mean the way a float32 framework computes them from one matrix product:
// r^2 = |x|^2 + |y|^2 - 2 x.y in float (uncentred), logits, softmax and the weighted mean in
// float. The baseline the tensor path's error is held against (issue: at most twice it).
Sums float32_gemm_form(const reference::Problem& p) {
    Sums out{std::vector<float>(p.m), std::vector<float>(p.m * p.d)};
    const float c = 1.0f / (2.0f * p.bandwidth * p.bandwidth);
    std::vector<float> y_norm(p.n), logits(p.n);
    for (int64_t j = 0; j < p.n; ++j) {
        for (int64_t k = 0; k < p.d; ++k) y_norm[j] += p.data[j * p.d + k] * p.data[j * p.d + k];
    }
    for (int64_t i = 0; i < p.m; ++i) {
        const float* x = &p.queries[i * p.d];
        float x_norm = 0.0f, max = -INFINITY, sum = 0.0f;
        for (int64_t k = 0; k < p.d; ++k) x_norm += x[k] * x[k];
        for (int64_t j = 0; j < p.n; ++j) {
            float dot = 0.0f;
            for (int64_t k = 0; k < p.d; ++k) dot += x[k] * p.data[j * p.d + k];
            logits[j] = -std::max(0.0f, x_norm + y_norm[j] - 2.0f * dot) * c - std::log((float)p.n);
            max = std::max(max, logits[j]);
        }
        for (int64_t j = 0; j < p.n; ++j) sum += (logits[j] = std::exp(logits[j] - max));
        out.lse[i] = max + std::log(sum);
        for (int64_t j = 0; j < p.n; ++j) {
            for (int64_t k = 0; k < p.d; ++k) out.mean[i * p.d + k] += logits[j] / sum * p.data[j * p.d + k];
        }
    }
    return out;
}

// A CUDA context created with KGEN_CUDA_PRECISION set to `precision` (null when refused, with
// the status in *status); the variable is restored after.
kgen_context* cuda_context_with(const char* precision, kgen_status* status) {
    const char* before = std::getenv("KGEN_CUDA_PRECISION");
    const std::string saved = before ? before : "";
    setenv("KGEN_CUDA_PRECISION", precision, 1);
    kgen_context* context = nullptr;
    *status = kgen_context_create(KGEN_BACKEND_CUDA, 0, &context);
    if (before) setenv("KGEN_CUDA_PRECISION", saved.c_str(), 1);
    else unsetenv("KGEN_CUDA_PRECISION");
    return *status == KGEN_OK ? context : nullptr;
}

// Bounds the measurements support with room (MATH.md section 7 gives the measured values):
// 3xTF32 as any float32 CUDA kernel; TF32, whose inputs keep 11 significant bits.
constexpr double kTf32Tolerance = 2e-2;

void measure_precision(const Backends& backends, kgen_context* tf32, const char* what, reference::Problem p) {
    const reference::Sums want = reference::kernel_sums(p);
    const Errors gemm = errors_of(float32_gemm_form(p), want, p.d);
    const Errors cpu = errors_of(tensor_sums(backends.cpu, p), want, p.d);
    const Errors split = errors_of(tensor_sums(backends.cuda, p), want, p.d);
    const Errors single = errors_of(tensor_sums(tf32, p), want, p.d);
    std::printf("tensor-core precision, %s (m=%lld n=%lld d=%lld), worst errors of lse and mean against float64: "
                "float32 GEMM form %.2e %.2e, CPU float32 %.2e %.2e, 3xTF32 %.2e %.2e, TF32 %.2e %.2e\n",
                what, (long long)p.m, (long long)p.n, (long long)p.d, gemm.lse, gemm.mean, cpu.lse, cpu.mean,
                split.lse, split.mean, single.lse, single.mean);
    const double widening = logit_widening(*std::max_element(want.max_logit.begin(), want.max_logit.end(),
                                                             [](double a, double b) { return std::fabs(a) < std::fabs(b); }),
                                           p.d);
    EXPECT(split.lse <= kCudaTolerance * widening && split.mean <= kCudaTolerance * widening,
           "3xTF32 on %s: errors %.3g and %.3g above %.3g", what, split.lse, split.mean, kCudaTolerance * widening);
    EXPECT(single.lse <= kTf32Tolerance && single.mean <= kTf32Tolerance, "TF32 on %s: errors %.3g and %.3g above %.3g",
           what, single.lse, single.mean, kTf32Tolerance);
}

void measure_precisions(const Backends& backends, Rng& rng) {
    kgen_status status = KGEN_OK;
    kgen_context* tf32 = cuda_context_with("tf32", &status);
    if (!EXPECT(tf32 != nullptr, "a CUDA context with KGEN_CUDA_PRECISION=tf32: %s", kgen_last_error())) return;

    // MNIST-like: queries are other images; the bandwidth a quarter of the typical distance.
    reference::Problem mnist;
    mnist.m = 37;
    mnist.n = 131;
    mnist.d = 784;
    mnist.data = mnist_like(mnist.n, rng);
    mnist.queries = mnist_like(mnist.m, rng);
    double r2 = 0;
    for (int64_t k = 0; k < mnist.d; ++k) r2 += std::pow(mnist.data[k] - mnist.data[mnist.d + k], 2);
    mnist.bandwidth = (float)(0.25 * std::sqrt(r2));
    measure_precision(backends, tf32, "MNIST-like", mnist);

    // N(0, I) in 3072-d, queries near data rows, so that the softmax is far from uniform.
    reference::Problem normal;
    normal.m = 11;
    normal.n = 67;
    normal.d = 3072;
    normal.data = rng.normals(normal.n * normal.d);
    normal.queries = rng.normals(normal.m * normal.d);
    for (int64_t i = 0; i < normal.m; ++i) {
        for (int64_t k = 0; k < normal.d; ++k) {
            normal.queries[i * normal.d + k] = normal.data[(i * 5 % normal.n) * normal.d + k] + 0.5f * normal.queries[i * normal.d + k];
        }
    }
    normal.bandwidth = (float)(0.3 * std::sqrt((double)normal.d));
    measure_precision(backends, tf32, "N(0, I)", normal);
    CHECK_OK(kgen_context_destroy(tf32));
}

}  // namespace

void compare_tensor_sums(const Backends& backends, Rng& rng) {
    for (int kernel : {KGEN_KERNEL_GAUSSIAN, KGEN_KERNEL_LAPLACE, KGEN_KERNEL_CAUCHY}) {
        const Case cases[] = {
            {kernel, 1, 1, 32, false, false, false},  {kernel, 67, 131, 33, true, true, false},
            {kernel, 3, 7, 784, false, true, false},  {kernel, 61, 61, 784, false, false, true},
            {kernel, 3, 5, 3071, true, false, false}, {kernel, 131, 67, 40, false, false, false},
            {kernel, 13, 17, 33, false, false, false, true},
        };
        for (const Case& c : cases) {
            if (!quick || c.m * c.n * c.d <= (tiny ? 6000 : 40000)) compare_tensor_case(backends, c, rng);
        }
        // In every mode, the sanitizer runs included: two query blocks, tiles of data rows and
        // coordinate chunks, so that the pipeline crosses a tile and each barrier guards something.
        compare_tensor_case(backends, Case{kernel, 65, tiny ? 71 : 129, 40, true, false, false}, rng);
    }
    // An unknown precision is refused when the context is created, naming the variable.
    kgen_status status = KGEN_OK;
    kgen_context* refused = cuda_context_with("fp16", &status);
    EXPECT_REJECTED(status, KGEN_INVALID_ARGUMENT, "KGEN_CUDA_PRECISION");
    if (refused) kgen_context_destroy(refused);
    if (!quick) measure_precisions(backends, rng);
}

}  // namespace kgen_test
