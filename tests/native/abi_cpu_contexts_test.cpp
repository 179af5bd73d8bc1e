// kgen_cpu_context_create: its argument checks, the fast path on every instruction set this CPU
// runs against the float64 reference path, the same bits on 1, 2 and 8 threads, and the high-d
// cases where the GEMM form of r^2 cancels (tiny bandwidths, data far from the origin) or where
// nearly every weight is negligible. The fast path runs on the hand-written high-d blocks, then,
// where the build names an OpenBLAS (KGEN_TEST_OPENBLAS_DIR), once more on its sgemm;
// kgen_cpu_blas_load's checks and KGEN_CPU_BLAS come first.
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "abi_test.h"

namespace kgen_test {
namespace {

struct Scores {
    std::vector<float> score, lse, mean;
};

// One random problem: queries and data ~ N(offset, 1), optional weights and leave-one-out.
struct Problem {
    int64_t m, n, d;
    float h;
    bool weighted, leave_one_out;
    std::vector<float> x, y, w;

    Problem(Rng& rng, int64_t m_, int64_t n_, int64_t d_, float h_, bool weighted_, bool loo, float offset = 0.0f)
        : m(m_), n(n_), d(d_), h(h_), weighted(weighted_), leave_one_out(loo) {
        y = rng.normals(n * d);
        for (float& v : y) v += offset;
        if (loo) {
            x = y;
        } else {
            x = rng.normals(m * d);
            for (float& v : x) v += offset;
        }
        if (weighted) w = rng.uniforms(n, 0.0, 1.0);
    }
};

Scores run(kgen_context* context, const Problem& p) {
    Scores out{std::vector<float>(p.m * p.d, NAN), std::vector<float>(p.m, NAN), std::vector<float>(p.m * p.d, NAN)};
    const float* w = p.weighted ? p.w.data() : nullptr;
    CHECK_OK(kgen_score(context, KGEN_KERNEL_GAUSSIAN, p.x.data(), p.m, p.y.data(), p.n, p.d, w, nullptr, p.h,
                        p.leave_one_out, out.score.data()));
    CHECK_OK(kgen_kernel_sum(context, KGEN_KERNEL_GAUSSIAN, p.x.data(), p.m, p.y.data(), p.n, p.d, w, nullptr,
                             p.h, p.leave_one_out, out.lse.data(), out.mean.data(), nullptr));
    return out;
}

// Fast against reference: each output within `tolerance` of its largest reference entry.
void expect_close(const char* what, const Scores& got, const Scores& want, double tolerance) {
    auto scale_of = [](const std::vector<float>& v) {
        double s = 1e-30;
        for (float e : v) s = std::fmax(s, std::fabs((double)e));
        return std::vector<double>(v.size(), s);
    };
    EXPECT_CLOSE(format("%s score", what), got.score, widened(want.score), scale_of(want.score), tolerance);
    EXPECT_CLOSE(format("%s lse", what), got.lse, widened(want.lse), scale_of(want.lse), tolerance);
    EXPECT_CLOSE(format("%s mean", what), got.mean, widened(want.mean), scale_of(want.mean), tolerance);
}

kgen_context* cpu_context(int threads, int path, int isa) {
    kgen_context* c = nullptr;
    CHECK_OK(kgen_cpu_context_create(threads, path, isa, &c));
    return c;
}

void check_rejections() {
    kgen_context* c = nullptr;
    EXPECT_REJECTED(kgen_cpu_context_create(-1, KGEN_CPU_FAST, KGEN_CPU_ISA_AUTO, &c), KGEN_INVALID_ARGUMENT, "threads");
    EXPECT_REJECTED(kgen_cpu_context_create(0, 2, KGEN_CPU_ISA_AUTO, &c), KGEN_INVALID_ARGUMENT, "path");
    EXPECT_REJECTED(kgen_cpu_context_create(0, KGEN_CPU_FAST, 4, &c), KGEN_INVALID_ARGUMENT, "isa");
    EXPECT_REJECTED(kgen_cpu_context_create(0, KGEN_CPU_FAST, KGEN_CPU_ISA_AUTO, nullptr), KGEN_INVALID_ARGUMENT,
                    "context");
}

// The default thread count: KGEN_THREADS when set, else every hardware thread; a bad value named.
void check_default_threads() {
    const char* saved = std::getenv("KGEN_THREADS");
    const std::string kept = saved ? saved : "";
    int threads = 0;
    EXPECT_REJECTED(kgen_cpu_default_threads(nullptr), KGEN_INVALID_ARGUMENT, "threads");
    setenv("KGEN_THREADS", "3", 1);
    CHECK_OK(kgen_cpu_default_threads(&threads));
    EXPECT(threads == 3, "KGEN_THREADS=3 gives %d threads", threads);
    setenv("KGEN_THREADS", "three", 1);
    EXPECT_REJECTED(kgen_cpu_default_threads(&threads), KGEN_INVALID_ARGUMENT, "KGEN_THREADS");
    unsetenv("KGEN_THREADS");
    CHECK_OK(kgen_cpu_default_threads(&threads));
    const int hardware = (int)std::max(1u, std::thread::hardware_concurrency());
    EXPECT(threads == hardware, "without KGEN_THREADS: %d threads, %d hardware threads", threads, hardware);
    if (saved) setenv("KGEN_THREADS", kept.c_str(), 1);
}

// Every compiled instruction set this CPU runs; one it lacks must say so, not crash.
void check_every_isa(Rng& rng, kgen_context* reference) {
    const Problem problems[] = {
        {rng, 1, 1, 1, 0.5f, false, false},     {rng, 13, 97, 2, 0.3f, true, false},
        {rng, 61, 61, 3, 0.4f, false, true},    {rng, 37, 523, 5, 1.0f, true, false},
        {rng, 17, 131, 16, 2.0f, false, false}, {rng, 23, 23, 31, 3.0f, true, true},
        {rng, 5, 67, 33, 3.0f, false, false},   {rng, 11, 131, 784, 12.0f, true, false},
        {rng, 41, 41, 100, 5.0f, false, true},  {rng, 150, 700, 70, 6.0f, true, false},
        {rng, 13, 2100, 40, 4.0f, true, false},  // sgemm: few queries, the data cut into slices
    };
    for (int isa : {KGEN_CPU_ISA_PORTABLE, KGEN_CPU_ISA_AVX2, KGEN_CPU_ISA_AVX512}) {
        kgen_context* fast = nullptr;
        kgen_status status = kgen_cpu_context_create(2, KGEN_CPU_FAST, isa, &fast);
        if (status == KGEN_UNAVAILABLE) {
            std::printf("  isa %d: not on this CPU (%s)\n", isa, kgen_last_error());
            continue;
        }
        if (!CHECK_OK(status)) continue;
        for (const Problem& p : problems) {
            expect_close(format("isa %d, %lld x %lld x %lld", isa, (long long)p.m, (long long)p.n, (long long)p.d).c_str(),
                         run(fast, p), run(reference, p), 2e-5);
        }
        CHECK_OK(kgen_context_destroy(fast));
    }
}

void check_same_bits_on_any_thread_count(Rng& rng) {
    const Problem problems[] = {{rng, 67, 1031, 3, 0.2f, true, false}, {rng, 70, 300, 100, 6.0f, false, false},
                                {rng, 129, 129, 17, 1.0f, false, true}, {rng, 9, 2300, 50, 5.0f, true, false}};
    for (const Problem& p : problems) {
        std::vector<Scores> results;
        for (int threads : {1, 2, 8}) {
            kgen_context* c = cpu_context(threads, KGEN_CPU_FAST, KGEN_CPU_ISA_AUTO);
            results.push_back(run(c, p));
            CHECK_OK(kgen_context_destroy(c));
        }
        for (size_t t = 1; t < results.size(); ++t) {
            EXPECT(same_bits(results[0].score, results[t].score) && same_bits(results[0].lse, results[t].lse) &&
                       same_bits(results[0].mean, results[t].mean),
                   "%lld x %lld x %lld: thread counts 1 and %d give different bits", (long long)p.m, (long long)p.n,
                   (long long)p.d, t == 1 ? 2 : 8);
        }
    }
}

// High d where |x|^2 + |y|^2 - 2 x.y cancels, and where nearly all weights are negligible.
void check_high_d_hard_cases(Rng& rng, kgen_context* reference, kgen_context* fast) {
    // Logits of 1e4 and more: r^2 ~ 2 d, h = 0.2.
    Problem tiny(rng, 9, 211, 784, 0.2f, false, false);
    expect_close("tiny bandwidth", run(fast, tiny), run(reference, tiny), 2e-5);
    // Far from the origin: |x|^2 ~ 1e6 d against r^2 ~ 2 d.
    Problem far(rng, 9, 211, 784, 8.0f, true, false, 1000.0f);
    expect_close("data at 1000", run(fast, far), run(reference, far), 2e-5);
    // Sparse weights: at h = 3 in d = 784 the nearest rows carry all but 1e-12 of the weight.
    Problem sparse(rng, 33, 389, 784, 3.0f, false, false);
    expect_close("sparse weights", run(fast, sparse), run(reference, sparse), 2e-5);
}

// Before any BLAS is loaded in this process: bad libraries and KGEN_CPU_BLAS values are named.
void check_blas_rejections() {
    EXPECT_REJECTED(kgen_cpu_blas_load(nullptr), KGEN_INVALID_ARGUMENT, "library_path");
    EXPECT_REJECTED(kgen_cpu_blas_load("/no/such/folder/libopenblas.so.0"), KGEN_UNAVAILABLE, "/no/such/folder");
    EXPECT_REJECTED(kgen_cpu_blas_load("libm.so.6"), KGEN_UNAVAILABLE, "not an OpenBLAS");
    kgen_context* c = nullptr;
    setenv("KGEN_CPU_BLAS", "maybe", 1);
    EXPECT_REJECTED(kgen_cpu_context_create(1, KGEN_CPU_FAST, KGEN_CPU_ISA_AUTO, &c), KGEN_INVALID_ARGUMENT,
                    "KGEN_CPU_BLAS");
    setenv("KGEN_CPU_BLAS", "on", 1);
    EXPECT_REJECTED(kgen_cpu_context_create(1, KGEN_CPU_FAST, KGEN_CPU_ISA_AUTO, &c), KGEN_UNAVAILABLE,
                    "KGEN_CPU_BLAS");
    unsetenv("KGEN_CPU_BLAS");
}

// The OpenBLAS the build unpacked, its Fortran run-time libraries first (only libopenblas finds
// its neighbours by itself); false when the build names none.
bool load_test_openblas() {
    const char* folder = std::getenv("KGEN_TEST_OPENBLAS_DIR");
    if (folder == nullptr || *folder == '\0') {
        std::printf("  no KGEN_TEST_OPENBLAS_DIR: the sgemm blocks are not tried\n");
        return false;
    }
    for (const char* name : {"libquadmath.so.0", "libgfortran.so.5"}) {
        const std::string path = std::string(folder) + "/" + name;
        EXPECT(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL) != nullptr, "cannot open %s: %s", path.c_str(), dlerror());
    }
    return CHECK_OK(kgen_cpu_blas_load((std::string(folder) + "/libopenblas.so.0").c_str()));
}

void check_fast_path(Rng& rng, const char* blocks) {
    kgen_context* reference = cpu_context(2, KGEN_CPU_REFERENCE, KGEN_CPU_ISA_AUTO);
    kgen_context* fast = cpu_context(2, KGEN_CPU_FAST, KGEN_CPU_ISA_AUTO);
    char text[512];
    CHECK_OK(kgen_context_describe(fast, text, sizeof text));
    EXPECT(std::strstr(text, blocks) != nullptr, "want \"%s\" in \"%s\"", blocks, text);
    check_every_isa(rng, reference);
    check_same_bits_on_any_thread_count(rng);
    check_high_d_hard_cases(rng, reference, fast);
    CHECK_OK(kgen_context_destroy(fast));
    CHECK_OK(kgen_context_destroy(reference));
}

}  // namespace

void check_cpu_contexts(kgen_context*, Rng& rng) {
    check_rejections();
    check_default_threads();
    const char* saved = std::getenv("KGEN_CPU_BLAS");
    const std::string kept = saved ? saved : "";
    check_blas_rejections();
    check_fast_path(rng, "high d on hand-written blocks");
    if (load_test_openblas()) check_fast_path(rng, "high d on OpenBLAS sgemm");
    if (saved) setenv("KGEN_CPU_BLAS", kept.c_str(), 1);
}

}  // namespace kgen_test
