// A native driver of every CUDA operation through the C ABI, checked against the CPU backend.
// It exists so that compute-sanitizer (memcheck, racecheck, initcheck) can watch the kernels
// without a JVM in the way:
//   compute-sanitizer --tool memcheck target/native-build/kgen_selftest
// Exit status 0 when every case agrees with the CPU backend; 77 when there is no CUDA device.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kgen.h"

namespace {

int failures = 0;

void require_ok(kgen_status status, const char* what) {
    if (status != KGEN_OK) {
        std::fprintf(stderr, "FAIL %s: status %d: %s\n", what, (int)status, kgen_last_error());
        std::exit(1);
    }
}

// Context memory holding a copy of a host vector, freed on scope exit.
struct Buffer {
    kgen_context* context;
    float* pointer = nullptr;
    size_t count;

    Buffer(kgen_context* c, size_t n) : context(c), count(n) {
        void* p = nullptr;
        require_ok(kgen_alloc(c, n * sizeof(float), &p), "alloc");
        pointer = static_cast<float*>(p);
        require_ok(kgen_fill(c, pointer, NAN, (int64_t)n), "poison");
    }
    Buffer(kgen_context* c, const std::vector<float>& host) : Buffer(c, host.size()) {
        require_ok(kgen_copy_to_context(c, pointer, host.data(), host.size() * sizeof(float)), "upload");
    }
    ~Buffer() { kgen_free(context, pointer); }
    std::vector<float> host() const {
        std::vector<float> out(count);
        require_ok(kgen_copy_to_host(context, out.data(), pointer, count * sizeof(float)), "download");
        return out;
    }
};

struct Case {
    int kernel;
    int64_t m, n, d;
    bool weighted, per_query, leave_one_out;
};

struct Outputs {
    std::vector<float> lse, mean, grad, log_density, score;
};

Outputs run(kgen_context* c, const Case& k, const std::vector<float>& x, const std::vector<float>& y,
            const std::vector<float>& w, const std::vector<float>& h) {
    Buffer bx(c, x), by(c, y), bw(c, w), bh(c, h);
    Buffer lse(c, k.m), mean(c, k.m * k.d), grad(c, k.m * k.d);
    const float* weights = k.weighted ? bw.pointer : nullptr;
    const float* bandwidths = k.per_query ? bh.pointer : nullptr;
    const float* queries = k.leave_one_out ? by.pointer : bx.pointer;
    require_ok(kgen_kernel_sum(c, k.kernel, queries, k.m, by.pointer, k.n, k.d, weights, bandwidths, h[0],
                               k.leave_one_out, lse.pointer, mean.pointer,
                               k.kernel == KGEN_KERNEL_LAPLACE ? grad.pointer : nullptr),
               "kernel_sum");
    Outputs out{lse.host(), mean.host(), {}, {}, {}};
    if (k.kernel == KGEN_KERNEL_LAPLACE) out.grad = grad.host();
    if (k.kernel == KGEN_KERNEL_GAUSSIAN) {
        Buffer density(c, k.m), score(c, k.m * k.d);
        require_ok(kgen_gaussian_log_density(c, queries, k.m, by.pointer, k.n, k.d, weights, bandwidths, h[0],
                                             k.leave_one_out, density.pointer), "log_density");
        require_ok(kgen_gaussian_score(c, queries, k.m, by.pointer, k.n, k.d, weights, bandwidths, h[0],
                                       k.leave_one_out, score.pointer), "score");
        out.log_density = density.host();
        out.score = score.host();
    }
    return out;
}

void compare(const char* name, const Case& k, const std::vector<float>& want, const std::vector<float>& got,
             double scale) {
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        double err = std::fabs((double)got[i] - want[i]) / std::fmax(scale, std::fabs((double)want[i]));
        if (!(err <= worst)) worst = std::isnan(err) ? INFINITY : std::fmax(worst, err);
    }
    const double bound = 2e-4;
    bool ok = worst <= bound;
    if (!ok) ++failures;
    std::printf("%s %-12s kernel=%d m=%lld n=%lld d=%lld weighted=%d per_query=%d loo=%d  max rel err %.2e\n",
                ok ? "ok  " : "FAIL", name, k.kernel, (long long)k.m, (long long)k.n, (long long)k.d, k.weighted,
                k.per_query, k.leave_one_out, worst);
}

}  // namespace

int main() {
    int devices = 0;
    require_ok(kgen_cuda_device_count(&devices), "device count");
    if (devices == 0) {
        std::printf("no CUDA device: nothing to check\n");
        return 77;
    }
    kgen_context *cpu = nullptr, *gpu = nullptr;
    require_ok(kgen_context_create(KGEN_BACKEND_CPU, 0, &cpu), "cpu context");
    require_ok(kgen_context_create(KGEN_BACKEND_CUDA, 0, &gpu), "cuda context");
    char description[512];
    require_ok(kgen_context_describe(gpu, description, sizeof description), "describe");
    std::printf("%s\n", description);

    const Case cases[] = {
        {KGEN_KERNEL_GAUSSIAN, 1, 1, 1, false, false, false},   {KGEN_KERNEL_GAUSSIAN, 131, 97, 2, true, true, false},
        {KGEN_KERNEL_LAPLACE, 97, 131, 3, false, true, false},  {KGEN_KERNEL_GAUSSIAN, 61, 61, 17, false, false, true},
        {KGEN_KERNEL_LAPLACE, 61, 61, 5, true, false, true},    {KGEN_KERNEL_GAUSSIAN, 3, 5003, 2, false, false, false},
        {KGEN_KERNEL_GAUSSIAN, 29, 53, 784, true, true, false}, {KGEN_KERNEL_LAPLACE, 17, 301, 33, false, true, false},
        {KGEN_KERNEL_GAUSSIAN, 2, 2, 3072, false, false, true}, {KGEN_KERNEL_LAPLACE, 300, 7, 32, true, true, false},
    };
    std::mt19937_64 rng(20261123);
    std::normal_distribution<float> normal;
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (const Case& k : cases) {
        std::vector<float> x(k.m * k.d), y(k.n * k.d), w(k.n), h(k.m);
        for (float& v : x) v = normal(rng);
        for (float& v : y) v = normal(rng);
        for (float& v : w) v = uniform(rng) + 0.01f;
        for (float& v : h) v = (0.3f + 0.5f * uniform(rng)) * std::sqrt(2.0f * (float)k.d);
        Outputs want = run(cpu, k, x, y, w, h);
        Outputs got = run(gpu, k, x, y, w, h);
        compare("lse", k, want.lse, got.lse, 1.0);
        compare("mean", k, want.mean, got.mean, 1.0);
        if (!want.grad.empty()) compare("laplace_grad", k, want.grad, got.grad, 1.0 / h[0]);
        if (!want.score.empty()) {
            compare("log_density", k, want.log_density, got.log_density, 1.0);
            compare("score", k, want.score, got.score, 1.0 / (h[0] * h[0]));
        }
    }

    // Partial states over two slices, merged and finalised, against the whole reduction.
    {
        const int64_t m = 37, n = 211, d = 7, cut = 90;
        std::vector<float> x(m * d), y(n * d);
        for (float& v : x) v = normal(rng);
        for (float& v : y) v = normal(rng);
        std::vector<float> results[2];
        kgen_context* contexts[2] = {cpu, gpu};
        for (int c = 0; c < 2; ++c) {
            kgen_context* ctx = contexts[c];
            Buffer bx(ctx, x), by(ctx, y);
            Buffer m1(ctx, m), s1(ctx, m), v1(ctx, m * d), g1(ctx, m * d);
            Buffer m2(ctx, m), s2(ctx, m), v2(ctx, m * d), g2(ctx, m * d);
            Buffer mean(ctx, m * d), grad(ctx, m * d);
            require_ok(kgen_kernel_sum_partial(ctx, KGEN_KERNEL_LAPLACE, bx.pointer, m, by.pointer, cut, d, nullptr,
                                               nullptr, 1.3f, 0, 0, m1.pointer, s1.pointer, v1.pointer, g1.pointer),
                       "partial 1");
            require_ok(kgen_kernel_sum_partial(ctx, KGEN_KERNEL_LAPLACE, bx.pointer, m, by.pointer + cut * d, n - cut,
                                               d, nullptr, nullptr, 1.3f, 0, 0, m2.pointer, s2.pointer, v2.pointer,
                                               g2.pointer),
                       "partial 2");
            require_ok(kgen_partial_merge(ctx, m, d, m1.pointer, s1.pointer, v1.pointer, g1.pointer, m2.pointer,
                                          s2.pointer, v2.pointer, g2.pointer),
                       "merge");
            require_ok(kgen_partial_finalize(ctx, m, d, m1.pointer, s1.pointer, v1.pointer, g1.pointer, nullptr,
                                             mean.pointer, grad.pointer),
                       "finalize");
            results[c] = mean.host();
            std::vector<float> g = grad.host();
            results[c].insert(results[c].end(), g.begin(), g.end());
        }
        compare("partial", Case{KGEN_KERNEL_LAPLACE, m, n, d, false, false, false}, results[0], results[1], 1.0);
    }

    // Nearest two and distance sums, odd sizes, with and without leave-one-out.
    for (int64_t d : {2, 17, 300}) {
        const int64_t m = 97, n = 97;
        std::vector<float> x(m * d), y(n * d);
        for (float& v : x) v = normal(rng);
        for (float& v : y) v = normal(rng);
        for (int loo = 0; loo < 2; ++loo) {
            std::vector<float> dist[2], sums[2];
            std::vector<int64_t> index[2];
            kgen_context* contexts[2] = {cpu, gpu};
            for (int c = 0; c < 2; ++c) {
                kgen_context* ctx = contexts[c];
                Buffer bx(ctx, x), by(ctx, y), out(ctx, m * 2), sum(ctx, m);
                void* raw = nullptr;
                require_ok(kgen_alloc(ctx, m * 2 * sizeof(int64_t), &raw), "alloc indices");
                const float* queries = loo ? by.pointer : bx.pointer;
                require_ok(kgen_nearest_two(ctx, queries, m, by.pointer, n, d, loo, out.pointer, (int64_t*)raw),
                           "nearest_two");
                require_ok(kgen_distance_sum(ctx, queries, m, by.pointer, n, d, nullptr, loo, sum.pointer),
                           "distance_sum");
                dist[c] = out.host();
                sums[c] = sum.host();
                index[c].resize(m * 2);
                require_ok(kgen_copy_to_host(ctx, index[c].data(), raw, m * 2 * sizeof(int64_t)), "indices");
                kgen_free(ctx, raw);
            }
            Case k{KGEN_KERNEL_GAUSSIAN, m, n, d, false, false, loo != 0};
            compare("nearest_two", k, dist[0], dist[1], 1.0);
            compare("distance_sum", k, sums[0], sums[1], 1.0);
            int64_t differ = 0;
            for (size_t i = 0; i < index[0].size(); ++i) differ += index[0][i] != index[1][i];
            if (differ > 2) ++failures;  // a float near-tie may swap a pair, no more
            std::printf("%s nearest_two indices: %lld of %lld differ\n", differ > 2 ? "FAIL" : "ok  ",
                        (long long)differ, (long long)index[0].size());
        }
    }

    // The fused Euler step: the same draws on both backends, so the moved points agree.
    {
        const int64_t m = 131, n = 2003, d = 17;
        std::vector<float> x(m * d), y(n * d);
        for (float& v : x) v = normal(rng);
        for (float& v : y) v = normal(rng);
        std::vector<float> moved[2];
        kgen_context* contexts[2] = {cpu, gpu};
        for (int c = 0; c < 2; ++c) {
            Buffer bx(contexts[c], x), by(contexts[c], y);
            require_ok(kgen_gaussian_score_step(contexts[c], bx.pointer, m, by.pointer, n, d, nullptr, nullptr, 2.0f,
                                                0.5f, 0.3f, 77, 9), "score_step");
            moved[c] = bx.host();
        }
        compare("score_step", Case{KGEN_KERNEL_GAUSSIAN, m, n, d, false, false, false}, moved[0], moved[1], 1.0);
    }

    // Row update and the sum of squares (fixed order: equal to the last bits on repeated runs).
    {
        const int64_t m = 1001, d = 7;
        std::vector<float> y(m * d), a(m * d), x(m * d), scale(m);
        for (float& v : y) v = normal(rng);
        for (float& v : a) v = normal(rng);
        for (float& v : x) v = normal(rng);
        for (float& v : scale) v = normal(rng);
        std::vector<float> out[2];
        double sums[2], again = 0;
        kgen_context* contexts[2] = {cpu, gpu};
        for (int c = 0; c < 2; ++c) {
            Buffer by(contexts[c], y), ba(contexts[c], a), bx(contexts[c], x), bs(contexts[c], scale);
            require_ok(kgen_row_update(contexts[c], by.pointer, ba.pointer, bx.pointer, bs.pointer, m, d), "row_update");
            out[c] = by.host();
            require_ok(kgen_sum_squares(contexts[c], by.pointer, m * d, &sums[c]), "sum_squares");
            if (c == 1) require_ok(kgen_sum_squares(contexts[c], by.pointer, m * d, &again), "sum_squares");
        }
        compare("row_update", Case{KGEN_KERNEL_GAUSSIAN, m, m, d, false, false, false}, out[0], out[1], 1.0);
        bool ok = std::fabs(sums[0] - sums[1]) <= 1e-5 * sums[0] && again == sums[1];
        if (!ok) ++failures;
        std::printf("%s sum_squares: cpu %.9g cuda %.9g (repeat %s)\n", ok ? "ok  " : "FAIL", sums[0], sums[1],
                    again == sums[1] ? "identical" : "differs");
    }

    // Philox normals: bit-identical to the CPU backend, at an offset that is not a multiple of 4.
    {
        const int64_t count = 100003;
        Buffer a(cpu, count), b(gpu, count);
        require_ok(kgen_normal_fill(cpu, 99, 5, 7, a.pointer, count), "normal cpu");
        require_ok(kgen_normal_fill(gpu, 99, 5, 7, b.pointer, count), "normal gpu");
        std::vector<float> want = a.host(), got = b.host();
        bool same = std::memcmp(want.data(), got.data(), count * sizeof(float)) == 0;
        if (!same) ++failures;
        std::printf("%s philox normals bit-identical over %lld draws\n", same ? "ok  " : "FAIL", (long long)count);
    }

    // The non-finite scan finds the first bad entry.
    {
        std::vector<float> v(4099, 1.0f);
        v[2048] = NAN;
        v[4000] = INFINITY;
        Buffer b(gpu, v);
        int64_t count = 0, first = 0;
        require_ok(kgen_count_nonfinite(gpu, b.pointer, (int64_t)v.size(), &count, &first), "count_nonfinite");
        bool ok = count == 2 && first == 2048;
        if (!ok) ++failures;
        std::printf("%s count_nonfinite: %lld found, first at %lld\n", ok ? "ok  " : "FAIL", (long long)count,
                    (long long)first);
    }

    kgen_context_destroy(gpu);
    kgen_context_destroy(cpu);
    std::printf("%s: %d failure(s)\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
