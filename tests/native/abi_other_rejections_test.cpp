// Bad arguments of everything that is not a pairwise reduction: library and context functions,
// memory and copies, kgen_fill, kgen_scan, the Philox fills, kgen_particle_update,
// kgen_row_update and kgen_sum_squares.
#include <cstdint>

#include "abi_test.h"
#include "rejections.h"

namespace kgen_test {
namespace {

void check_library_and_contexts(kgen_context* cpu) {
    EXPECT_REJECTED(kgen_cuda_device_count(nullptr), KGEN_INVALID_ARGUMENT, "count");
    kgen_context* made = nullptr;
    EXPECT_REJECTED(kgen_context_create(KGEN_BACKEND_CPU, 0, nullptr), KGEN_INVALID_ARGUMENT, "context");
    EXPECT_REJECTED(kgen_context_create(7, 0, &made), KGEN_INVALID_ARGUMENT, "backend");
    EXPECT_REJECTED(kgen_context_create(-1, 0, &made), KGEN_INVALID_ARGUMENT, "backend");
    EXPECT_REJECTED(kgen_context_create(KGEN_BACKEND_CUDA, -1, &made), KGEN_INVALID_ARGUMENT, "device");
    CHECK_OK(kgen_context_create(KGEN_BACKEND_CPU, 0, &made));
    CHECK_OK(kgen_context_destroy(made));

    char text[64];
    EXPECT_REJECTED(kgen_context_describe(nullptr, text, sizeof text), KGEN_INVALID_ARGUMENT, "context is NULL");
    EXPECT_REJECTED(kgen_context_describe(cpu, nullptr, sizeof text), KGEN_INVALID_ARGUMENT, "buffer");
    EXPECT_REJECTED(kgen_context_describe(cpu, text, 0), KGEN_INVALID_ARGUMENT, "capacity");
    EXPECT_REJECTED(kgen_synchronize(nullptr), KGEN_INVALID_ARGUMENT, "context is NULL");
    // Stream hand-offs: a NULL event is named; a CPU context has no stream to hand over.
    int token = 0;
    void* event = &token;
    EXPECT_REJECTED(kgen_wait_event(nullptr, event), KGEN_INVALID_ARGUMENT, "context is NULL");
    EXPECT_REJECTED(kgen_wait_event(cpu, nullptr), KGEN_INVALID_ARGUMENT, "cuda_event");
    EXPECT_REJECTED(kgen_record_event(cpu, nullptr), KGEN_INVALID_ARGUMENT, "cuda_event");
    EXPECT_REJECTED(kgen_wait_event(cpu, event), KGEN_INVALID_ARGUMENT, "CPU context has no CUDA stream");
    EXPECT_REJECTED(kgen_wait_stream(cpu, nullptr), KGEN_INVALID_ARGUMENT, "CPU context has no CUDA stream");
    EXPECT_REJECTED(kgen_record_event(cpu, event), KGEN_INVALID_ARGUMENT, "CPU context has no CUDA stream");
    CHECK_OK(kgen_context_describe(cpu, text, sizeof text));
}

void check_memory(kgen_context* cpu) {
    void* p = nullptr;
    size_t free_bytes = 0, total_bytes = 0;
    EXPECT_REJECTED(kgen_alloc(nullptr, 16, &p), KGEN_INVALID_ARGUMENT, "context is NULL");
    EXPECT_REJECTED(kgen_alloc(cpu, 16, nullptr), KGEN_INVALID_ARGUMENT, "pointer");
    EXPECT_REJECTED(kgen_alloc(cpu, 0, &p), KGEN_INVALID_ARGUMENT, "bytes");
    EXPECT_REJECTED(kgen_alloc(cpu, SIZE_MAX, &p), KGEN_OUT_OF_MEMORY, "allocat");
    EXPECT_REJECTED(kgen_alloc(cpu, SIZE_MAX / 2, &p), KGEN_OUT_OF_MEMORY, "allocat");
    EXPECT_REJECTED(kgen_free(nullptr, nullptr), KGEN_INVALID_ARGUMENT, "context is NULL");
    EXPECT_REJECTED(kgen_memory_info(nullptr, &free_bytes, &total_bytes), KGEN_INVALID_ARGUMENT, "context is NULL");
    EXPECT_REJECTED(kgen_memory_info(cpu, nullptr, &total_bytes), KGEN_INVALID_ARGUMENT, "free_bytes");
    EXPECT_REJECTED(kgen_memory_info(cpu, &free_bytes, nullptr), KGEN_INVALID_ARGUMENT, "total_bytes");

    Floats buffer(cpu, 4);
    float host[4] = {1, 2, 3, 4};
    EXPECT_REJECTED(kgen_copy_to_context(nullptr, buffer.get(), host, 16), KGEN_INVALID_ARGUMENT, "context is NULL");
    EXPECT_REJECTED(kgen_copy_to_context(cpu, nullptr, host, 16), KGEN_INVALID_ARGUMENT, "dst");
    EXPECT_REJECTED(kgen_copy_to_context(cpu, buffer.get(), nullptr, 16), KGEN_INVALID_ARGUMENT, "host_src");
    EXPECT_REJECTED(kgen_copy_to_host(nullptr, host, buffer.get(), 16), KGEN_INVALID_ARGUMENT, "context is NULL");
    EXPECT_REJECTED(kgen_copy_to_host(cpu, nullptr, buffer.get(), 16), KGEN_INVALID_ARGUMENT, "host_dst");
    EXPECT_REJECTED(kgen_copy_to_host(cpu, host, nullptr, 16), KGEN_INVALID_ARGUMENT, "src");
    EXPECT_REJECTED(kgen_copy_within(nullptr, buffer.get(), buffer.get(), 16), KGEN_INVALID_ARGUMENT,
                    "context is NULL");
    EXPECT_REJECTED(kgen_copy_within(cpu, nullptr, buffer.get(), 16), KGEN_INVALID_ARGUMENT, "dst");
    EXPECT_REJECTED(kgen_copy_within(cpu, buffer.get(), nullptr, 16), KGEN_INVALID_ARGUMENT, "src");
    EXPECT_REJECTED(kgen_fill(nullptr, buffer.get(), 1.0f, 4), KGEN_INVALID_ARGUMENT, "context is NULL");
    EXPECT_REJECTED(kgen_fill(cpu, buffer.get(), 1.0f, -1), KGEN_INVALID_ARGUMENT, "count");
    EXPECT_REJECTED(kgen_fill(cpu, nullptr, 1.0f, 4), KGEN_INVALID_ARGUMENT, "dst");
    // The context still works after all of that.
    CHECK_OK(kgen_alloc(cpu, 16, &p));
    CHECK_OK(kgen_copy_to_context(cpu, p, host, 16));
    CHECK_OK(kgen_free(cpu, p));
}

struct ScanCall {
    kgen_context* context;
    const float* values;
    int64_t count;
    float lower;
    int64_t* bad_count;
    kgen_status operator()() const { return kgen_scan(context, values, count, lower, bad_count, nullptr, nullptr); }
};

struct NormalFillCall {
    kgen_context* context;
    float* out;
    int64_t count;
    bool uniform;
    kgen_status operator()() const {
        return (uniform ? kgen_uniform_fill : kgen_normal_fill)(context, 1, 2, 3, out, count);
    }
};

struct ParticleUpdateCall {
    kgen_context* context;
    float* x;
    int64_t count;
    float alpha;
    const float* a;
    float beta;
    const float* b;
    float noise;
    kgen_status operator()() const {
        return kgen_particle_update(context, x, count, alpha, a, beta, b, noise, 5, 6, 7);
    }
};

struct RowUpdateCall {
    kgen_context* context;
    float* y;
    const float* a;
    const float* x;
    const float* row_scale;
    int64_t m, d;
    kgen_status operator()() const { return kgen_row_update(context, y, a, x, row_scale, m, d); }
};

struct SumSquaresCall {
    kgen_context* context;
    const float* values;
    int64_t count;
    double* result;
    kgen_status operator()() const { return kgen_sum_squares(context, values, count, result); }
};

void check_elementwise_arguments(kgen_context* cpu, Rng& rng) {
    const int64_t m = 5, d = 3;
    Floats values(cpu, rng.normals(m * d)), a(cpu, rng.normals(m * d)), b(cpu, rng.normals(m * d));
    Floats scale(cpu, rng.normals(m)), out(cpu, m * d), x(cpu, rng.normals(m * d));
    // Ones for the overlap cases: a call that wrongly goes ahead scribbles here, not on the inputs.
    Floats scratch(cpu, std::vector<float>(64 * 5, 1.0f));
    auto region = [&](int k) { return scratch.get() + 64 * k; };
    int64_t bad_count = 0;
    double result = 0.0;

    using Scan = ScanCall;
    EXPECT_REJECTIONS("kgen_scan", Scan, (Scan{cpu, values.get(), m * d, 0.0f, &bad_count}),
                            {{"context NULL", [](Scan& c) { c.context = nullptr; }, "context is NULL"},
                             {"bad_count NULL", [](Scan& c) { c.bad_count = nullptr; }, "bad_count"},
                             {"count -1", [](Scan& c) { c.count = -1; }, "count"},
                             {"lower NaN", [](Scan& c) { c.lower = NAN; }, "lower"},
                             {"values NULL", [](Scan& c) { c.values = nullptr; }, "values"}});
    for (bool uniform : {false, true}) {
        using Fill = NormalFillCall;
        EXPECT_REJECTIONS(uniform ? "kgen_uniform_fill" : "kgen_normal_fill", Fill, (Fill{cpu, out.get(), m, uniform}),
                                {{"context NULL", [](Fill& c) { c.context = nullptr; }, "context is NULL"},
                                 {"count -1", [](Fill& c) { c.count = -1; }, "count"},
                                 {"out NULL", [](Fill& c) { c.out = nullptr; }, "out is NULL"}});
    }
    using P = ParticleUpdateCall;
    EXPECT_REJECTIONS("kgen_particle_update", P, (P{cpu, x.get(), m * d, 0.5f, a.get(), -0.25f, b.get(), 0.1f}),
                         {{"context NULL", [](P& c) { c.context = nullptr; }, "context is NULL"},
                          {"count -1", [](P& c) { c.count = -1; }, "count"},
                          {"x NULL", [](P& c) { c.x = nullptr; }, "x is NULL"},
                          {"alpha NaN", [](P& c) { c.alpha = NAN; }, "alpha"},
                          {"beta +inf", [](P& c) { c.beta = INFINITY; }, "beta"},
                          {"noise NaN", [](P& c) { c.noise = NAN; }, "noise"},
                          {"x over a", [&](P& c) { c.a = region(0), c.x = region(0) + 1; }, "x must not overlap"},
                          {"x over b", [&](P& c) { c.b = c.x = region(1); }, "x must not overlap"}});
    using R = RowUpdateCall;
    EXPECT_REJECTIONS("kgen_row_update", R, (R{cpu, out.get(), a.get(), x.get(), scale.get(), m, d}),
                         {{"context NULL", [](R& c) { c.context = nullptr; }, "context is NULL"},
                          {"m = 0", [](R& c) { c.m = 0; }, "m must be positive"},
                          {"d = -1", [](R& c) { c.d = -1; }, "d must be positive"},
                          {"y NULL", [](R& c) { c.y = nullptr; }, "y is NULL"},
                          {"a NULL", [](R& c) { c.a = nullptr; }, "a is NULL"},
                          {"row_scale NULL", [](R& c) { c.row_scale = nullptr; }, "row_scale is NULL"},
                          {"y over a", [&](R& c) { c.a = region(2), c.y = region(2) + 2; }, "y must not overlap"},
                          {"y over x", [&](R& c) { c.x = c.y = region(3); }, "y must not overlap"},
                          {"y over row_scale", [&](R& c) { c.row_scale = region(4), c.y = region(4) + 1; },
                           "y must not overlap"}});
    using S = SumSquaresCall;
    EXPECT_REJECTIONS("kgen_sum_squares", S, (S{cpu, values.get(), m * d, &result}),
                         {{"context NULL", [](S& c) { c.context = nullptr; }, "context is NULL"},
                          {"result NULL", [](S& c) { c.result = nullptr; }, "result"},
                          {"count -1", [](S& c) { c.count = -1; }, "count"},
                          {"values NULL", [](S& c) { c.values = nullptr; }, "values"}});
}

}  // namespace

void check_other_rejections(kgen_context* cpu, Rng& rng) {
    check_library_and_contexts(cpu);
    check_memory(cpu);
    check_elementwise_arguments(cpu, rng);
}

}  // namespace kgen_test
