// Bad arguments of the pairwise reductions: kgen_kernel_sum, kgen_log_density, kgen_score,
// kgen_gaussian_score_step, the partial-state functions, kgen_nearest_two and kgen_distance_sum.
// Each is rejected with KGEN_INVALID_ARGUMENT and a message naming the argument (the first bad
// entry of a scanned array), and the good call works right after.
#include "abi_test.h"
#include "rejections.h"

namespace kgen_test {
namespace {

constexpr int64_t kM = 5, kN = 7, kD = 3;

// Good inputs and outputs, broken copies of the scanned arrays, and scratch regions of ones for
// the overlap cases, so that a call that wrongly goes ahead scribbles there and not on the inputs
// later cases use.
struct Inputs {
    kgen_context* context;
    Floats x, y, w, h, lse, mean, gradient, scratch;
    Floats weights_nan, weights_negative, weights_infinite, weights_zero;
    Floats bandwidths_nan, bandwidths_negative, bandwidths_zero, bandwidths_infinite;

    Inputs(kgen_context* cpu, Rng& rng)
        : context(cpu), x(cpu, rng.normals(kM * kD)), y(cpu, rng.normals(kN * kD)), w(cpu, rng.uniforms(kN, 0.1, 1.0)),
          h(cpu, rng.uniforms(kM, 0.5, 2.0)), lse(cpu, kM), mean(cpu, kM * kD), gradient(cpu, kM * kD),
          scratch(cpu, std::vector<float>(64 * 32, 1.0f)),
          weights_nan(cpu, with_entries(w.host(), {{3, NAN}, {5, NAN}})),
          weights_negative(cpu, with_entries(w.host(), {{0, -1.0f}, {4, NAN}})),
          weights_infinite(cpu, with_entries(w.host(), {{6, INFINITY}})),
          weights_zero(cpu, std::vector<float>(kN, 0.0f)),
          bandwidths_nan(cpu, with_entries(h.host(), {{2, NAN}, {4, NAN}})),
          bandwidths_negative(cpu, with_entries(h.host(), {{1, -0.5f}, {3, NAN}})),
          bandwidths_zero(cpu, with_entries(h.host(), {{0, 0.0f}})),
          bandwidths_infinite(cpu, with_entries(h.host(), {{3, INFINITY}})) {}

    // 64 floats of ones, 256-byte aligned (an int64 view stays aligned), refilled for each case.
    float* region(int k) const {
        float* start = scratch.get() + 64 * k;
        CHECK_OK(kgen_fill(context, start, 1.0f, 64));
        return start;
    }

    // Per-query bandwidths of ones but for the next float below the kernel's least at 3 and -1 at 4.
    const float* bandwidths_below_least(int kernel, int64_t d) const {
        float* start = region(18);
        CHECK_OK(kgen_fill(context, start + 3, std::nextafter(kgen_min_bandwidth(kernel, d), 0.0f), 1));
        CHECK_OK(kgen_fill(context, start + 4, -1.0f, 1));
        return start;
    }
};

// The arguments the kernel reductions share.
struct ReductionArgs {
    kgen_context* context;
    int kernel;
    const float* queries;
    int64_t m;
    const float* data;
    int64_t n, d;
    const float* weights;
    const float* bandwidths;
    float bandwidth;
    int leave_one_out;
};

struct KernelSumCall : ReductionArgs {
    float *lse, *mean, *gradient;
    kgen_status operator()() const {
        return kgen_kernel_sum(context, kernel, queries, m, data, n, d, weights, bandwidths, bandwidth, leave_one_out,
                               lse, mean, gradient);
    }
};
struct LogDensityCall : ReductionArgs {
    float* log_density;
    kgen_status operator()() const {
        return kgen_log_density(context, kernel, queries, m, data, n, d, weights, bandwidths, bandwidth,
                                leave_one_out, log_density);
    }
};
struct ScoreCall : ReductionArgs {
    float* score;
    kgen_status operator()() const {
        return kgen_score(context, kernel, queries, m, data, n, d, weights, bandwidths, bandwidth, leave_one_out,
                          score);
    }
};

// What all three kernel reductions reject.
template <typename Call>
std::vector<Rejection<Call>> reduction_cases(const Inputs& in) {
    return {
        {"context NULL", [](Call& c) { c.context = nullptr; }, "context is NULL"},
        {"kernel 3", [](Call& c) { c.kernel = 3; }, "kernel must be"},
        {"kernel -1", [](Call& c) { c.kernel = -1; }, "kernel must be"},
        {"queries NULL", [](Call& c) { c.queries = nullptr; }, "queries is NULL"},
        {"data NULL", [](Call& c) { c.data = nullptr; }, "data is NULL"},
        {"m = 0", [](Call& c) { c.m = 0; }, "m must be positive"},
        {"m = -1", [](Call& c) { c.m = -1; }, "m must be positive"},
        {"n = 0", [](Call& c) { c.n = 0; }, "n must be positive"},
        {"d = 0", [](Call& c) { c.d = 0; }, "d must be positive"},
        {"d = -3", [](Call& c) { c.d = -3; }, "d must be positive"},
        {"bandwidth NaN", [](Call& c) { c.bandwidths = nullptr, c.bandwidth = NAN; }, "bandwidth"},
        {"bandwidth 0", [](Call& c) { c.bandwidths = nullptr, c.bandwidth = 0.0f; }, "bandwidth"},
        {"bandwidth -1", [](Call& c) { c.bandwidths = nullptr, c.bandwidth = -1.0f; }, "bandwidth"},
        {"bandwidth +inf", [](Call& c) { c.bandwidths = nullptr, c.bandwidth = INFINITY; }, "bandwidth"},
        {"bandwidth below the least",
         [](Call& c) { c.bandwidths = nullptr, c.bandwidth = std::nextafter(kgen_min_bandwidth(c.kernel, c.d), 0.0f); },
         "too small"},
        {"bandwidths NaN at 2 and 4", [&](Call& c) { c.bandwidths = in.bandwidths_nan.get(); }, "bandwidths[2]"},
        {"bandwidths -0.5 at 1, NaN at 3", [&](Call& c) { c.bandwidths = in.bandwidths_negative.get(); },
         "bandwidths[1]"},
        {"bandwidths 0 at 0", [&](Call& c) { c.bandwidths = in.bandwidths_zero.get(); }, "bandwidths[0]"},
        {"bandwidths +inf at 3", [&](Call& c) { c.bandwidths = in.bandwidths_infinite.get(); }, "bandwidths[3]"},
        {"bandwidths below the least at 3", [&](Call& c) { c.bandwidths = in.bandwidths_below_least(c.kernel, c.d); },
         "bandwidths[3]"},
        {"weights NaN at 3 and 5", [&](Call& c) { c.weights = in.weights_nan.get(); }, "weights[3]"},
        {"weights -1 at 0, NaN at 4", [&](Call& c) { c.weights = in.weights_negative.get(); }, "weights[0]"},
        {"weights +inf at 6", [&](Call& c) { c.weights = in.weights_infinite.get(); }, "weights[6]"},
        {"weights all 0", [&](Call& c) { c.weights = in.weights_zero.get(); }, "positive sum"},
        {"leave_one_out with m != n", [](Call& c) { c.leave_one_out = 1; }, "leave_one_out"},
        {"leave_one_out with m = n = 1", [](Call& c) { c.leave_one_out = 1, c.m = 1, c.n = 1; }, "n >= 2"},
    };
}

template <typename Call>
std::vector<Rejection<Call>> plus(std::vector<Rejection<Call>> cases, std::vector<Rejection<Call>> more) {
    cases.insert(cases.end(), more.begin(), more.end());
    return cases;
}

void check_kernel_reductions(kgen_context* cpu, Inputs& in) {
    const ReductionArgs args{cpu, KGEN_KERNEL_GAUSSIAN, in.x.get(), kM, in.y.get(), kN, kD, in.w.get(), in.h.get(),
                             1.0f, 0};
    using K = KernelSumCall;
    for (int kernel : {KGEN_KERNEL_GAUSSIAN, KGEN_KERNEL_LAPLACE, KGEN_KERNEL_CAUCHY}) {
        K sum{args, in.lse.get(), in.mean.get(), in.gradient.get()};
        sum.kernel = kernel;
        const std::string function = format("kgen_kernel_sum (%s)", kernel_name(kernel));
        // Outputs over inputs: the reduction would read what it has already written.
        EXPECT_REJECTIONS(
            function.c_str(), K, sum,
            plus(reduction_cases<K>(in),
                 {{"no output", [](K& c) { c.lse = c.mean = c.gradient = nullptr; }, "no output"},
                  {"lse over the queries", [&](K& c) { c.queries = in.region(0), c.lse = in.region(0) + 1; }, "lse"},
                  {"mean over the data", [&](K& c) { c.data = in.region(1), c.mean = in.region(1) + 2; }, "mean"},
                  {"gradient over the weights",
                   [&](K& c) { c.weights = in.region(2), c.gradient = in.region(2) + 3; }, "gradient"},
                  {"lse over the bandwidths", [&](K& c) { c.bandwidths = in.region(3), c.lse = in.region(3) + 1; },
                   "lse"}}));
    }
    EXPECT_REJECTIONS("kgen_log_density", LogDensityCall, (LogDensityCall{args, in.lse.get()}),
                      plus(reduction_cases<LogDensityCall>(in),
                           {{"log_density NULL", [](LogDensityCall& c) { c.log_density = nullptr; }, "log_density"},
                            {"log_density over the queries",
                             [&](LogDensityCall& c) { c.queries = c.log_density = in.region(4); }, "log_density"}}));
    ScoreCall score{args, in.mean.get()};
    score.kernel = KGEN_KERNEL_LAPLACE;
    EXPECT_REJECTIONS("kgen_score", ScoreCall, score,
                      plus(reduction_cases<ScoreCall>(in),
                           {{"score NULL", [](ScoreCall& c) { c.score = nullptr; }, "score"},
                            {"score over the data",
                             [&](ScoreCall& c) { c.data = in.region(5), c.score = in.region(5) + 3; }, "score"}}));
}

struct ScoreStepCall {
    kgen_context* context;
    float* x;
    int64_t m;
    const float* data;
    int64_t n, d;
    const float* weights;
    const float* bandwidths;
    float bandwidth, step, noise;
    kgen_status operator()() const {
        return kgen_gaussian_score_step(context, x, m, data, n, d, weights, bandwidths, bandwidth, step, noise, 7, 9, 0);
    }
};

void check_score_step(kgen_context* cpu, Inputs& in, Rng& rng) {
    Floats x(cpu, rng.normals(kM * kD));
    const ScoreStepCall good{cpu, x.get(), kM, in.y.get(), kN, kD, in.w.get(), in.h.get(), 1.0f, 0.1f, 0.2f};
    using C = ScoreStepCall;
    EXPECT_REJECTIONS("kgen_gaussian_score_step", C, good,
        {{"context NULL", [](C& c) { c.context = nullptr; }, "context is NULL"},
         {"x NULL", [](C& c) { c.x = nullptr; }, "x is NULL"},
         {"data NULL", [](C& c) { c.data = nullptr; }, "data is NULL"},
         {"m = 0", [](C& c) { c.m = 0; }, "m must be positive"},
         {"n = -1", [](C& c) { c.n = -1; }, "n must be positive"},
         {"d = 0", [](C& c) { c.d = 0; }, "d must be positive"},
         {"step NaN", [](C& c) { c.step = NAN; }, "step"},
         {"step +inf", [](C& c) { c.step = INFINITY; }, "step"},
         {"noise NaN", [](C& c) { c.noise = NAN; }, "noise"},
         {"noise -inf", [](C& c) { c.noise = -INFINITY; }, "noise"},
         {"bandwidth NaN", [](C& c) { c.bandwidths = nullptr, c.bandwidth = NAN; }, "bandwidth"},
         {"bandwidths NaN at 2 and 4", [&](C& c) { c.bandwidths = in.bandwidths_nan.get(); }, "bandwidths[2]"},
         {"weights -1 at 0", [&](C& c) { c.weights = in.weights_negative.get(); }, "weights[0]"},
         {"weights all 0", [&](C& c) { c.weights = in.weights_zero.get(); }, "positive sum"},
         {"x over the data", [&](C& c) { c.data = c.x = in.region(6); }, "x must not overlap"},
         {"x over the weights", [&](C& c) { c.weights = in.region(7), c.x = in.region(7) + 2; }, "x must not overlap"},
         {"x over the bandwidths", [&](C& c) { c.bandwidths = c.x = in.region(8); }, "x must not overlap"}});
}

struct PartialCall {
    kgen_context* context;
    int kernel;
    const float* queries;
    int64_t m;
    const float* data;
    int64_t n, d;
    const float* weights;
    const float* bandwidths;
    float bandwidth;
    int leave_one_out;
    int64_t self_offset;
    float *max_logit, *sum_exp, *weighted_sum, *gradient_sum;
    kgen_status operator()() const {
        return kgen_kernel_sum_partial(context, kernel, queries, m, data, n, d, weights, bandwidths, bandwidth,
                                       leave_one_out, self_offset, max_logit, sum_exp, weighted_sum, gradient_sum);
    }
};

struct MergeCall {
    kgen_context* context;
    int64_t m, d;
    float *max_a, *sum_a, *weighted_a, *gradient_a;
    const float *max_b, *sum_b, *weighted_b, *gradient_b;
    kgen_status operator()() const {
        return kgen_partial_merge(context, m, d, max_a, sum_a, weighted_a, gradient_a, max_b, sum_b, weighted_b,
                                  gradient_b);
    }
};

struct FinalizeCall {
    kgen_context* context;
    int64_t m, d;
    const float *max_logit, *sum_exp, *weighted_sum, *gradient_sum;
    float *lse, *mean, *gradient;
    kgen_status operator()() const {
        return kgen_partial_finalize(context, m, d, max_logit, sum_exp, weighted_sum, gradient_sum, lse, mean,
                                     gradient);
    }
};

void check_partial_states(kgen_context* cpu, Inputs& in) {
    Floats max_a(cpu, kM), sum_a(cpu, kM), weighted_a(cpu, kM * kD), gradient_a(cpu, kM * kD);
    Floats max_b(cpu, kM), sum_b(cpu, kM), weighted_b(cpu, kM * kD), gradient_b(cpu, kM * kD);
    const PartialCall a{cpu, KGEN_KERNEL_CAUCHY, in.x.get(), kM, in.y.get(), kN, kD, in.w.get(), in.h.get(), 1.0f,
                        0, 0, max_a.get(), sum_a.get(), weighted_a.get(), gradient_a.get()};
    PartialCall b = a;
    b.max_logit = max_b.get(), b.sum_exp = sum_b.get(), b.weighted_sum = weighted_b.get();
    b.gradient_sum = gradient_b.get();
    // A slice need not match the queries (leave-one-out by offset), and its weights may all be 0.
    PartialCall slice = b;
    slice.n = 2, slice.leave_one_out = 1, slice.self_offset = -3;
    EXPECT(slice() == KGEN_OK, "partial over a slice with leave-one-out, m != n: %s", kgen_last_error());
    slice.weights = in.weights_zero.get();
    EXPECT(slice() == KGEN_OK, "partial over a slice whose weights are all 0: %s", kgen_last_error());
    CHECK_OK(b());
    using P = PartialCall;
    EXPECT_REJECTIONS("kgen_kernel_sum_partial", P, a,
        {{"context NULL", [](P& c) { c.context = nullptr; }, "context is NULL"},
         {"kernel 7", [](P& c) { c.kernel = 7; }, "kernel must be"},
         {"queries NULL", [](P& c) { c.queries = nullptr; }, "queries is NULL"},
         {"n = 0", [](P& c) { c.n = 0; }, "n must be positive"},
         {"d = -1", [](P& c) { c.d = -1; }, "d must be positive"},
         {"max_logit NULL", [](P& c) { c.max_logit = nullptr; }, "max_logit is NULL"},
         {"sum_exp NULL", [](P& c) { c.sum_exp = nullptr; }, "sum_exp is NULL"},
         {"weighted_sum NULL", [](P& c) { c.weighted_sum = nullptr; }, "weighted_sum is NULL"},
         {"bandwidth 0", [](P& c) { c.bandwidths = nullptr, c.bandwidth = 0.0f; }, "bandwidth"},
         {"bandwidths +inf at 3", [&](P& c) { c.bandwidths = in.bandwidths_infinite.get(); }, "bandwidths[3]"},
         {"weights NaN at 3 and 5", [&](P& c) { c.weights = in.weights_nan.get(); }, "weights[3]"},
         {"weights +inf at 6", [&](P& c) { c.weights = in.weights_infinite.get(); }, "weights[6]"},
         {"max_logit over the queries", [&](P& c) { c.queries = c.max_logit = in.region(9); }, "max_logit"},
         {"sum_exp over the data", [&](P& c) { c.data = in.region(10), c.sum_exp = in.region(10) + 1; }, "sum_exp"},
         {"weighted_sum over the weights", [&](P& c) { c.weights = c.weighted_sum = in.region(11); }, "weighted_sum"},
         {"gradient_sum over the queries", [&](P& c) { c.queries = c.gradient_sum = in.region(12); }, "gradient_sum"},
         {"max_logit over the bandwidths", [&](P& c) { c.bandwidths = in.region(13), c.max_logit = in.region(13) + 1; },
          "max_logit"}});

    const MergeCall merge{cpu,          kM,          kD,         max_a.get(), sum_a.get(), weighted_a.get(),
                          gradient_a.get(), max_b.get(), sum_b.get(), weighted_b.get(), gradient_b.get()};
    using M = MergeCall;
    EXPECT_REJECTIONS("kgen_partial_merge", M, merge,
                         {{"context NULL", [](M& c) { c.context = nullptr; }, "context is NULL"},
                          {"m = 0", [](M& c) { c.m = 0; }, "m must be positive"},
                          {"d = 0", [](M& c) { c.d = 0; }, "d must be positive"},
                          {"max_a NULL", [](M& c) { c.max_a = nullptr; }, "a: max_logit"},
                          {"sum_a NULL", [](M& c) { c.sum_a = nullptr; }, "a: sum_exp"},
                          {"weighted_a NULL", [](M& c) { c.weighted_a = nullptr; }, "a: weighted_sum"},
                          {"max_b NULL", [](M& c) { c.max_b = nullptr; }, "b: max_logit"},
                          {"sum_b NULL", [](M& c) { c.sum_b = nullptr; }, "b: sum_exp"},
                          {"weighted_b NULL", [](M& c) { c.weighted_b = nullptr; }, "b: weighted_sum"},
                          {"gradient_a NULL only", [](M& c) { c.gradient_a = nullptr; }, "gradient_a"},
                          {"gradient_b NULL only", [](M& c) { c.gradient_b = nullptr; }, "gradient_b"}});

    const FinalizeCall finalize{cpu,         kM,        kD,         max_a.get(),        sum_a.get(),
                                weighted_a.get(), gradient_a.get(), in.lse.get(), in.mean.get(), in.gradient.get()};
    using F = FinalizeCall;
    EXPECT_REJECTIONS("kgen_partial_finalize", F, finalize,
                         {{"context NULL", [](F& c) { c.context = nullptr; }, "context is NULL"},
                          {"m = -2", [](F& c) { c.m = -2; }, "m must be positive"},
                          {"d = 0", [](F& c) { c.d = 0; }, "d must be positive"},
                          {"max_logit NULL", [](F& c) { c.max_logit = nullptr; }, "max_logit is NULL"},
                          {"sum_exp NULL", [](F& c) { c.sum_exp = nullptr; }, "sum_exp is NULL"},
                          {"weighted_sum NULL", [](F& c) { c.weighted_sum = nullptr; }, "weighted_sum is NULL"},
                          {"gradient without gradient_sum", [](F& c) { c.gradient_sum = nullptr; }, "gradient_sum"}});
}

struct NearestTwoCall {
    kgen_context* context;
    const float* queries;
    int64_t m;
    const float* data;
    int64_t n, d;
    int leave_one_out;
    float* distances;
    int64_t* indices;
    kgen_status operator()() const {
        return kgen_nearest_two(context, queries, m, data, n, d, leave_one_out, distances, indices);
    }
};

struct DistanceSumCall {
    kgen_context* context;
    const float* queries;
    int64_t m;
    const float* data;
    int64_t n, d;
    const float* weights;
    int leave_one_out;
    float* sums;
    kgen_status operator()() const {
        return kgen_distance_sum(context, queries, m, data, n, d, weights, leave_one_out, sums);
    }
};

void check_pairwise_arguments(kgen_context* cpu, Inputs& in) {
    Floats distances(cpu, 2 * kM);
    Indices indices(cpu, 2 * kM);
    using N = NearestTwoCall;
    const N nearest{cpu, in.x.get(), kM, in.y.get(), kN, kD, 0, distances.get(), indices.get()};
    EXPECT_REJECTIONS("kgen_nearest_two", N, nearest,
        {{"context NULL", [](N& c) { c.context = nullptr; }, "context is NULL"},
         {"queries NULL", [](N& c) { c.queries = nullptr; }, "queries is NULL"},
         {"data NULL", [](N& c) { c.data = nullptr; }, "data is NULL"},
         {"m = 0", [](N& c) { c.m = 0; }, "m must be positive"},
         {"n = -2", [](N& c) { c.n = -2; }, "n must be positive"},
         {"d = 0", [](N& c) { c.d = 0; }, "d must be positive"},
         {"distances NULL", [](N& c) { c.distances = nullptr; }, "distances is NULL"},
         {"leave_one_out with m != n", [](N& c) { c.leave_one_out = 1; }, "leave_one_out"},
         {"distances over the queries", [&](N& c) { c.queries = in.region(14), c.distances = in.region(14) + 1; },
          "distances"},
         {"indices over the data",
          [&](N& c) { c.data = in.region(15), c.indices = reinterpret_cast<int64_t*>(in.region(15)); }, "indices"},
         {"indices over the distances",
          [&](N& c) { c.distances = in.region(16), c.indices = reinterpret_cast<int64_t*>(in.region(16) + 2); },
          "indices"}});
    using S = DistanceSumCall;
    const S good{cpu, in.x.get(), kM, in.y.get(), kN, kD, in.w.get(), 0, in.lse.get()};
    S zero_weights = good;
    zero_weights.weights = in.weights_zero.get();
    EXPECT(zero_weights() == KGEN_OK, "distance_sum with weights all 0 (allowed): %s", kgen_last_error());
    EXPECT_REJECTIONS("kgen_distance_sum", S, good,
                         {{"context NULL", [](S& c) { c.context = nullptr; }, "context is NULL"},
                          {"queries NULL", [](S& c) { c.queries = nullptr; }, "queries is NULL"},
                          {"m = 0", [](S& c) { c.m = 0; }, "m must be positive"},
                          {"d = -1", [](S& c) { c.d = -1; }, "d must be positive"},
                          {"sums NULL", [](S& c) { c.sums = nullptr; }, "sums is NULL"},
                          {"weights NaN at 3 and 5", [&](S& c) { c.weights = in.weights_nan.get(); }, "weights[3]"},
                          {"weights -1 at 0", [&](S& c) { c.weights = in.weights_negative.get(); }, "weights[0]"},
                          {"leave_one_out with m != n", [](S& c) { c.leave_one_out = 1; }, "leave_one_out"},
                          {"sums over the queries",
                           [&](S& c) { c.queries = in.region(17), c.sums = in.region(17) + 4; },
                           "sums"}});
}

}  // namespace

void check_reduction_rejections(kgen_context* cpu, Rng& rng) {
    Inputs in(cpu, rng);
    check_kernel_reductions(cpu, in);
    check_score_step(cpu, in, rng);
    check_partial_states(cpu, in);
    check_pairwise_arguments(cpu, in);
}

}  // namespace kgen_test
