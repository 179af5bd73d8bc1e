// kgen_kernel_sum, kgen_log_density and kgen_score on the CPU backend against the float64
// reference: every kernel, odd sizes (1, primes, d up to 33), weights, per-query bandwidths,
// leave-one-out, queries on data rows, bandwidths at the least kgen accepts; each output asked for
// alone and all together, into poisoned buffers.
#include "abi_inputs.h"
#include "abi_test.h"

namespace kgen_test {
namespace {

std::vector<Case> cases() {
    std::vector<Case> out;
    for (int kernel : {KGEN_KERNEL_GAUSSIAN, KGEN_KERNEL_LAPLACE, KGEN_KERNEL_CAUCHY}) {
        const Case shapes[] = {
            {kernel, 1, 1, 1, false, false, false},    {kernel, 1, 7, 2, true, false, false},
            {kernel, 13, 1, 3, false, true, false},    {kernel, 31, 37, 17, true, true, false},
            {kernel, 5, 2, 33, false, false, false},   {kernel, 2, 2, 1, false, false, true},
            {kernel, 61, 61, 3, true, false, true},    {kernel, 41, 41, 17, false, true, true},
            {kernel, 97, 89, 2, false, true, false},   {kernel, 7, 131, 33, true, true, false},
            {kernel, 3, 1031, 2, false, false, false},  // n past any block of rows a backend takes
            {kernel, 3, 3, 1, true, true, true},
        };
        out.insert(out.end(), std::begin(shapes), std::end(shapes));
        Case tiny{kernel, 11, 19, 3, false, false, false};
        tiny.tiny_bandwidth = true;
        out.push_back(tiny);
        tiny.per_query = true;
        tiny.d = 33;
        out.push_back(tiny);
    }
    return out;
}

// The same call with outputs chosen by `ask`: 1 = lse, 2 = mean, 4 = gradient.
struct KernelSumOutputs {
    std::vector<float> lse, mean, gradient;
};

KernelSumOutputs kernel_sum(kgen_context* cpu, const reference::Problem& p, const Uploaded& in, int ask) {
    Floats lse(cpu, p.m), mean(cpu, p.m * p.d), gradient(cpu, p.m * p.d);
    CHECK_OK(kgen_kernel_sum(cpu, p.kernel, in.query_pointer(), p.m, in.data.get(), p.n, p.d, in.weight_pointer(),
                             in.bandwidth_pointer(), scalar_bandwidth(p), p.leave_one_out,
                             (ask & 1) ? lse.get() : nullptr, (ask & 2) ? mean.get() : nullptr,
                             (ask & 4) ? gradient.get() : nullptr));
    KernelSumOutputs out;
    if (ask & 1) out.lse = lse.host();
    if (ask & 2) out.mean = mean.host();
    if (ask & 4) out.gradient = gradient.host();
    // An output not asked for is not written: its buffer keeps the poison.
    if (!(ask & 1)) EXPECT(std::isnan(lse.host()[0]), "kgen_kernel_sum wrote lse, which was NULL");
    return out;
}

void check_case(kgen_context* cpu, const Case& c, Rng& rng) {
    const reference::Problem p = random_problem(c, rng);
    const reference::Sums want = reference::kernel_sums(p);
    const Uploaded in(cpu, p);
    const std::string name = describe(c);

    const KernelSumOutputs all = kernel_sum(cpu, p, in, 7);
    EXPECT_CLOSE("kernel_sum lse, " + name, all.lse, want.lse, want.lse_scale, kCpuTolerance);
    EXPECT_CLOSE("kernel_sum mean, " + name, all.mean, want.mean, want.mean_scale, kCpuTolerance);
    EXPECT_CLOSE("kernel_sum gradient, " + name, all.gradient, want.gradient, want.gradient_scale, kCpuTolerance);
    // Each output alone, as a caller that wants only one asks for it.
    EXPECT_CLOSE("kernel_sum lse alone, " + name, kernel_sum(cpu, p, in, 1).lse, want.lse, want.lse_scale,
                 kCpuTolerance);
    EXPECT_CLOSE("kernel_sum mean alone, " + name, kernel_sum(cpu, p, in, 2).mean, want.mean, want.mean_scale,
                 kCpuTolerance);
    EXPECT_CLOSE("kernel_sum gradient alone, " + name, kernel_sum(cpu, p, in, 4).gradient, want.gradient,
                 want.gradient_scale, kCpuTolerance);

    Floats log_density(cpu, p.m), score(cpu, p.m * p.d);
    CHECK_OK(kgen_log_density(cpu, p.kernel, in.query_pointer(), p.m, in.data.get(), p.n, p.d, in.weight_pointer(),
                              in.bandwidth_pointer(), scalar_bandwidth(p), p.leave_one_out, log_density.get()));
    EXPECT_CLOSE("log_density, " + name, log_density.host(), want.log_density, want.log_density_scale, kCpuTolerance);
    CHECK_OK(kgen_score(cpu, p.kernel, in.query_pointer(), p.m, in.data.get(), p.n, p.d, in.weight_pointer(),
                        in.bandwidth_pointer(), scalar_bandwidth(p), p.leave_one_out, score.get()));
    EXPECT_CLOSE("score, " + name, score.host(), want.score, want.score_scale, kCpuTolerance);
}

// A Laplace query exactly on a data row: the pair at r = 0 adds nothing to the gradient (its
// subgradient is taken as 0), so the gradient is the finite sum over the other rows. With one
// data row the gradient is exactly 0.
void check_laplace_gradient_at_data_point(kgen_context* cpu, Rng& rng) {
    for (int64_t n : {1, 5}) {
        const int64_t d = 3;
        reference::Problem p;
        p.kernel = KGEN_KERNEL_LAPLACE;
        p.m = 1;
        p.n = n;
        p.d = d;
        p.data = rng.normals(n * d);
        p.queries.assign(p.data.begin(), p.data.begin() + d);
        p.bandwidth = 0.8f;
        const reference::Sums want = reference::kernel_sums(p);
        const Uploaded in(cpu, p);
        const std::vector<float> gradient = kernel_sum(cpu, p, in, 4).gradient;
        bool finite = true;
        for (float g : gradient) finite = finite && std::isfinite(g);
        EXPECT(finite, "Laplace gradient at a data point, n = %lld: not finite (%g %g %g)", (long long)n, gradient[0],
               gradient[1], gradient[2]);
        if (n == 1) {
            EXPECT(gradient[0] == 0.0f && gradient[1] == 0.0f && gradient[2] == 0.0f,
                   "Laplace gradient at the only data point: want 0, got %g %g %g", gradient[0], gradient[1],
                   gradient[2]);
        }
        EXPECT_CLOSE("Laplace gradient at a data point", gradient, want.gradient, want.gradient_scale, kCpuTolerance);
    }
}

// NULL weights are uniform, 1/n (1/(n-1) with leave-one-out): the same as passing them.
void check_null_weights_are_uniform(kgen_context* cpu, Rng& rng) {
    for (bool leave_one_out : {false, true}) {
        const Case c{KGEN_KERNEL_CAUCHY, 23, 23, 5, false, false, leave_one_out};
        reference::Problem p = random_problem(c, rng);
        const Uploaded implicit(cpu, p);
        const std::vector<float> lse_null = kernel_sum(cpu, p, implicit, 1).lse;
        p.weights.assign(p.n, (float)(1.0 / (double)(leave_one_out ? p.n - 1 : p.n)));
        const Uploaded explicit_weights(cpu, p);
        const std::vector<float> lse_uniform = kernel_sum(cpu, p, explicit_weights, 1).lse;
        std::vector<double> scale(p.m, 1.0);
        EXPECT_CLOSE(format("NULL weights against 1/%lld each", (long long)(leave_one_out ? p.n - 1 : p.n)),
                     lse_null, widened(lse_uniform), scale, 1e-6);
    }
}

}  // namespace

void check_kernel_sums(kgen_context* cpu, Rng& rng) {
    for (const Case& c : cases()) check_case(cpu, c, rng);
    check_laplace_gradient_at_data_point(cpu, rng);
    check_null_weights_are_uniform(cpu, rng);
}

}  // namespace kgen_test
