// Accuracy of the CUDA kernel sums where float32 bookkeeping, not the logits, sets the error,
// run on the emulation against the CPU backend (float64 sums):
// - long rows: a million data rows, about 125,000 per split, each term of similar size, so a
//   running float sum would lose about 1e-4 (the sums are two-level: per tile, then across tiles);
// - large logits (about -2e4) over 262,144 rows split across blocks: converting each split's max to
//   natural log would round it by about 1e-3 and tilt the merged weights between splits (the
//   splits keep base 2 until the states leave the kernels).
// KGEN_EMULATION_SMS fixes the split plans; KGEN_TEST_SEED replays a run.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "harness.h"

namespace kgen_test {
namespace {

struct Sums {
    std::vector<float> lse, mean;
};

Sums kernel_sum(kgen_context* context, const std::vector<float>& queries, const std::vector<float>& data, int64_t d,
                float bandwidth) {
    const int64_t m = (int64_t)queries.size() / d, n = (int64_t)data.size() / d;
    Floats x(context, queries), y(context, data), lse(context, (size_t)m), mean(context, (size_t)(m * d));
    CHECK_OK(kgen_kernel_sum(context, KGEN_KERNEL_GAUSSIAN, x.get(), m, y.get(), n, d, nullptr, nullptr, bandwidth, 0,
                             lse.get(), mean.get(), nullptr));
    return Sums{lse.host(), mean.host()};
}

// lse to `tolerance` of max(1, |lse|) (a float LSE of -2e4 is good to 1e-7 of it), coordinate k
// of the mean to `tolerance` of mean_scale[k] (the data's spread along it, or its size).
void compare(const char* what, const Sums& cuda, const Sums& cpu, const std::vector<double>& mean_scale,
             double tolerance) {
    std::vector<double> lse_scale;
    for (float v : cpu.lse) lse_scale.push_back(std::max(1.0, std::fabs((double)v)));
    EXPECT_CLOSE(std::string(what) + ": lse", cuda.lse, widened(cpu.lse), lse_scale, tolerance);
    std::vector<double> scale;
    for (size_t e = 0; e < cpu.mean.size(); ++e) scale.push_back(mean_scale[e % mean_scale.size()]);
    EXPECT_CLOSE(std::string(what) + ": mean", cuda.mean, widened(cpu.mean), scale, tolerance);
}

void check_long_rows(kgen_context* cuda, kgen_context* cpu, Rng& rng) {
    const int64_t n = 1000000, d = 2;
    const std::vector<float> data = rng.uniforms(n * d, -1.0, 1.0);
    const std::vector<float> queries = rng.uniforms(3 * d, -0.1, 0.1);
    // h = 10: every weight within a few percent of the others, the hardest case for a running sum.
    compare("1e6 rows", kernel_sum(cuda, queries, data, d, 10.0f), kernel_sum(cpu, queries, data, d, 10.0f), {1.0},
            5e-6);
}

void check_large_logits(kgen_context* cuda, kgen_context* cpu, Rng& rng) {
    // The query at the origin, the data about 1 away along the first axis, spread by h across it:
    // logits near -1 / (2 h^2) = -2e4 that differ by O(1). Sorted across, so that the splits'
    // means differ and a tilt between them moves the merged mean.
    const int64_t n = 262144, d = 2;
    const float h = 0.005f;
    std::vector<float> across(n);
    for (float& t : across) t = h * rng.normal();
    std::sort(across.begin(), across.end());
    std::vector<float> data(n * d);
    for (int64_t j = 0; j < n; ++j) {
        data[j * d] = 1.0f;
        data[j * d + 1] = across[j];
    }
    const std::vector<float> query{0.0f, 0.0f};
    // Along the first axis every point sits at 1: the mean is good to a float ulp of 1 there.
    compare("logits near -2e4", kernel_sum(cuda, query, data, d, h), kernel_sum(cpu, query, data, d, h), {1.0, h},
            6e-6);
}

}  // namespace
}  // namespace kgen_test

int main() {
    const uint64_t seed = kgen_test::seed_from_environment();
    std::printf("long sums, seed %llu (replay: KGEN_TEST_SEED=%llu)\n", (unsigned long long)seed,
                (unsigned long long)seed);
    kgen_context *cuda = nullptr, *cpu = nullptr;
    if (!CHECK_OK(kgen_context_create(KGEN_BACKEND_CUDA, 0, &cuda))) return 1;
    if (!CHECK_OK(kgen_context_create(KGEN_BACKEND_CPU, 0, &cpu))) return 1;
    kgen_test::Rng rng(seed);
    kgen_test::check_long_rows(cuda, cpu, rng);
    kgen_test::check_large_logits(cuda, cpu, rng);
    CHECK_OK(kgen_context_destroy(cuda));
    CHECK_OK(kgen_context_destroy(cpu));
    const int failures = kgen_test::failure_count();
    std::printf("%s: %d check(s), %d failed; seed %llu\n", failures ? "FAILED" : "PASSED", kgen_test::check_count(),
                failures, (unsigned long long)seed);
    return failures == 0 ? 0 : 1;
}
