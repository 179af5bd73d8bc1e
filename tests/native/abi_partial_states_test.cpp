// Partial states (kgen_kernel_sum_partial, kgen_partial_merge, kgen_partial_finalize) and the
// fused Euler step (kgen_gaussian_score_step) on the CPU backend.
// Partial states: the data split in 2 or 3 slices (one of a single row), each slice's state
// against the reference, the merged state finalized against the reference and against the whole
// kgen_kernel_sum. Under leave-one-out a slice that starts at global row j0 passes
// self_offset = -j0, so a one-row slice leaves its own query without a pair: the empty state.
#include <algorithm>
#include <memory>

#include "abi_inputs.h"
#include "abi_test.h"

namespace kgen_test {
namespace {

// One partial state in context memory.
struct State {
    Floats max_logit, sum_exp, weighted_sum, gradient_sum;
    bool with_gradient;
    State(kgen_context* cpu, int64_t m, int64_t d, bool gradient)
        : max_logit(cpu, m), sum_exp(cpu, m), weighted_sum(cpu, m * d), gradient_sum(cpu, m * d),
          with_gradient(gradient) {}
    float* gradient() const { return with_gradient ? gradient_sum.get() : nullptr; }
};

// Slice boundaries 0 = c0 < c1 < ... = n; the first slice is a single row when there is room.
std::vector<int64_t> random_cuts(int64_t n, int slices, Rng& rng) {
    std::vector<int64_t> cuts = {0, n};
    if (n >= 2) cuts.push_back(1);
    while ((int)cuts.size() < slices + 1 && (int64_t)cuts.size() <= n) {
        const int64_t cut = 1 + rng.below(n - 1);
        if (std::find(cuts.begin(), cuts.end(), cut) == cuts.end()) cuts.push_back(cut);
    }
    std::sort(cuts.begin(), cuts.end());
    return cuts;
}

// The slice [j0, j1) of a whole problem, as a partial state sees it.
reference::Problem slice_of(const reference::Problem& whole, int64_t j0, int64_t j1) {
    reference::Problem s = whole;
    s.n = j1 - j0;
    s.data.assign(whole.data.begin() + j0 * whole.d, whole.data.begin() + j1 * whole.d);
    if (!whole.weights.empty()) s.weights.assign(whole.weights.begin() + j0, whole.weights.begin() + j1);
    s.self_offset = -j0;
    s.unit_null_weights = true;
    return s;
}

// A slice's state against the reference: max_logit itself, and what it finalizes to (lse =
// max + log sum_exp, mean = weighted / sum_exp, gradient = gradient_sum / sum_exp), which does not
// depend on the reference point. A query with no pair in the slice: -inf, 0 and zero sums.
void check_state(const State& state, const reference::Problem& slice, const std::string& name) {
    const reference::Sums want = reference::kernel_sums(slice);
    const std::vector<float> max = state.max_logit.host(), sum = state.sum_exp.host();
    const std::vector<float> weighted = state.weighted_sum.host(), gradient = state.gradient_sum.host();
    const int64_t m = slice.m, d = slice.d;
    std::vector<float> got_max, got_lse, got_mean, got_gradient;
    std::vector<double> want_max, max_scale, want_lse, lse_scale, want_mean, mean_scale, want_gradient, gradient_scale;
    for (int64_t i = 0; i < m; ++i) {
        if (want.max_logit[i] == -INFINITY) {
            bool empty = max[i] == -INFINITY && sum[i] == 0.0f;
            for (int64_t k = i * d; k < (i + 1) * d; ++k) {
                empty = empty && weighted[k] == 0.0f && (!state.with_gradient || gradient[k] == 0.0f);
            }
            EXPECT(empty, "%s: query %lld has no pair: want max -inf, sum 0, zero sums; got max %g sum %g weighted %g",
                   name.c_str(), (long long)i, max[i], sum[i], weighted[i * d]);
            continue;
        }
        got_max.push_back(max[i]);
        want_max.push_back(want.max_logit[i]);
        max_scale.push_back(1.0 + std::fabs(want.max_logit[i]));
        got_lse.push_back((float)((double)max[i] + std::log((double)sum[i])));
        want_lse.push_back(want.lse[i]);
        lse_scale.push_back(want.lse_scale[i]);
        for (int64_t k = i * d; k < (i + 1) * d; ++k) {
            got_mean.push_back((float)((double)weighted[k] / sum[i]));
            want_mean.push_back(want.mean[k]);
            mean_scale.push_back(want.mean_scale[k]);
            if (!state.with_gradient) continue;
            got_gradient.push_back((float)((double)gradient[k] / sum[i]));
            want_gradient.push_back(want.gradient[k]);
            gradient_scale.push_back(want.gradient_scale[k]);
        }
    }
    EXPECT_CLOSE(name + " max_logit", got_max, want_max, max_scale, kCpuTolerance);
    EXPECT_CLOSE(name + " max_logit + log sum_exp", got_lse, want_lse, lse_scale, kCpuTolerance);
    EXPECT_CLOSE(name + " weighted_sum / sum_exp", got_mean, want_mean, mean_scale, kCpuTolerance);
    EXPECT_CLOSE(name + " gradient_sum / sum_exp", got_gradient, want_gradient, gradient_scale, kCpuTolerance);
}

void check_split(kgen_context* cpu, const Case& c, int slices, bool with_gradient, bool zero_weight_slice, Rng& rng) {
    reference::Problem whole = random_problem(c, rng);
    const std::vector<int64_t> cuts = random_cuts(c.n, slices, rng);
    // A slice whose weights are all 0 (allowed in a slice): every query's state there is empty.
    if (zero_weight_slice) std::fill(whole.weights.begin() + cuts[1], whole.weights.begin() + cuts[2], 0.0f);
    const std::string name = format("partial %s, %zu slices%s", describe(c).c_str(), cuts.size() - 1,
                                    zero_weight_slice ? ", one with zero weights" : "");
    const Uploaded in(cpu, whole);
    std::vector<std::unique_ptr<State>> states;
    for (size_t s = 0; s + 1 < cuts.size(); ++s) {
        const int64_t j0 = cuts[s], j1 = cuts[s + 1];
        states.emplace_back(new State(cpu, c.m, c.d, with_gradient));
        State& state = *states.back();
        CHECK_OK(kgen_kernel_sum_partial(cpu, c.kernel, in.query_pointer(), c.m, in.data.get() + j0 * c.d, j1 - j0,
                                         c.d, in.weighted ? in.weights.get() + j0 : nullptr, in.bandwidth_pointer(),
                                         scalar_bandwidth(whole), c.leave_one_out, -j0, state.max_logit.get(),
                                         state.sum_exp.get(), state.weighted_sum.get(), state.gradient()));
        check_state(state, slice_of(whole, j0, j1), format("%s, slice [%lld, %lld)", name.c_str(), (long long)j0,
                                                           (long long)j1));
    }
    // Merged in order into the first: a <- merge(a, b).
    State& merged = *states.front();
    for (size_t s = 1; s < states.size(); ++s) {
        const State& b = *states[s];
        CHECK_OK(kgen_partial_merge(cpu, c.m, c.d, merged.max_logit.get(), merged.sum_exp.get(),
                                    merged.weighted_sum.get(), merged.gradient(), b.max_logit.get(), b.sum_exp.get(),
                                    b.weighted_sum.get(), b.gradient()));
    }
    check_state(merged, slice_of(whole, 0, c.n), name + ", merged");

    // Finalized: against the reference of the whole with unit NULL weights, and against the
    // whole kgen_kernel_sum (whose NULL weights carry 1/N: its lse is lower by log N).
    Floats lse(cpu, c.m), mean(cpu, c.m * c.d), gradient(cpu, c.m * c.d);
    CHECK_OK(kgen_partial_finalize(cpu, c.m, c.d, merged.max_logit.get(), merged.sum_exp.get(),
                                   merged.weighted_sum.get(), merged.gradient(), lse.get(), mean.get(),
                                   with_gradient ? gradient.get() : nullptr));
    reference::Problem unit = whole;
    unit.unit_null_weights = true;
    const reference::Sums want = reference::kernel_sums(unit);
    EXPECT_CLOSE(name + ", finalized lse", lse.host(), want.lse, want.lse_scale, kCpuTolerance);
    EXPECT_CLOSE(name + ", finalized mean", mean.host(), want.mean, want.mean_scale, kCpuTolerance);
    if (with_gradient) {
        EXPECT_CLOSE(name + ", finalized gradient", gradient.host(), want.gradient, want.gradient_scale, kCpuTolerance);
    }
    Floats whole_lse(cpu, c.m), whole_mean(cpu, c.m * c.d), whole_gradient(cpu, c.m * c.d);
    CHECK_OK(kgen_kernel_sum(cpu, c.kernel, in.query_pointer(), c.m, in.data.get(), c.n, c.d, in.weight_pointer(),
                             in.bandwidth_pointer(), scalar_bandwidth(whole), c.leave_one_out, whole_lse.get(),
                             whole_mean.get(), whole_gradient.get()));
    std::vector<double> shifted = widened(whole_lse.host());
    const double log_count = c.weighted ? 0.0 : std::log((double)(c.leave_one_out ? c.n - 1 : c.n));
    for (double& v : shifted) v += log_count;
    EXPECT_CLOSE(name + ", finalized lse against kgen_kernel_sum", lse.host(), shifted, want.lse_scale, kCpuTolerance);
    EXPECT_CLOSE(name + ", finalized mean against kgen_kernel_sum", mean.host(), widened(whole_mean.host()),
                 want.mean_scale, kCpuTolerance);
    if (with_gradient) {
        EXPECT_CLOSE(name + ", finalized gradient against kgen_kernel_sum", gradient.host(),
                     widened(whole_gradient.host()), want.gradient_scale, kCpuTolerance);
    }
    // Finalize writes what is asked for alone.
    Floats lse_only(cpu, c.m);
    CHECK_OK(kgen_partial_finalize(cpu, c.m, c.d, merged.max_logit.get(), merged.sum_exp.get(),
                                   merged.weighted_sum.get(), nullptr, lse_only.get(), nullptr, nullptr));
    EXPECT_CLOSE(name + ", finalized lse alone", lse_only.host(), want.lse, want.lse_scale, kCpuTolerance);
}

// Two empty states (all weights 0) merge to an empty state, not to NaN.
void check_empty_merge(kgen_context* cpu, Rng& rng) {
    const int64_t m = 3, n = 4, d = 2;
    Floats queries(cpu, rng.normals(m * d)), data(cpu, rng.normals(n * d)), zeros(cpu, std::vector<float>(n, 0.0f));
    State a(cpu, m, d, true), b(cpu, m, d, true);
    for (State* s : {&a, &b}) {
        CHECK_OK(kgen_kernel_sum_partial(cpu, KGEN_KERNEL_GAUSSIAN, queries.get(), m, data.get(), n, d, zeros.get(),
                                         nullptr, 1.0f, 0, 0, s->max_logit.get(), s->sum_exp.get(),
                                         s->weighted_sum.get(), s->gradient()));
    }
    CHECK_OK(kgen_partial_merge(cpu, m, d, a.max_logit.get(), a.sum_exp.get(), a.weighted_sum.get(), a.gradient(),
                                b.max_logit.get(), b.sum_exp.get(), b.weighted_sum.get(), b.gradient()));
    const std::vector<float> max = a.max_logit.host(), sum = a.sum_exp.host(), weighted = a.weighted_sum.host();
    bool empty = true;
    for (int64_t i = 0; i < m; ++i) empty = empty && max[i] == -INFINITY && sum[i] == 0.0f;
    for (float v : weighted) empty = empty && v == 0.0f;
    for (float v : a.gradient_sum.host()) empty = empty && v == 0.0f;
    EXPECT(empty, "merge of two empty states: want max -inf, sum 0, zero sums; got max %g sum %g weighted %g", max[0],
           sum[0], weighted[0]);
}

std::vector<float> host_copy(kgen_context* cpu, const float* at, int64_t count) {
    std::vector<float> out((size_t)count);
    CHECK_OK(kgen_copy_to_host(cpu, out.data(), at, out.size() * sizeof(float)));
    return out;
}

// A caller may lay out queries, data, two partial states and the finalized outputs back to back
// in one allocation. Ranges that touch do not overlap: every call is accepted and gives the bits
// of the same calls on separate buffers.
void check_packed_layout(kgen_context* cpu, Rng& rng) {
    const int64_t m = 6, n = 9, d = 2, half = 4;  // the data split at row `half`
    const std::vector<float> queries = rng.normals(m * d), data = rng.normals(n * d);
    Floats packed(cpu, (size_t)(m * d + n * d + 2 * (2 * m + 2 * m * d) + m + 2 * m * d));
    float* cursor = packed.get();
    auto take = [&](int64_t count) {
        float* at = cursor;
        cursor += count;
        return at;
    };
    float* x = take(m * d);
    float* y = take(n * d);
    float* a[4] = {take(m), take(m), take(m * d), take(m * d)};
    float* b[4] = {take(m), take(m), take(m * d), take(m * d)};
    float* finalized[3] = {take(m), take(m * d), take(m * d)};
    CHECK_OK(kgen_copy_to_context(cpu, x, queries.data(), queries.size() * sizeof(float)));
    CHECK_OK(kgen_copy_to_context(cpu, y, data.data(), data.size() * sizeof(float)));

    // Split at `half`, merged, finalized: each call accepted.
    auto split_merge_finalize = [&](const char* layout, const float* queries_at, const float* data_at,
                                    float* const first[4], float* const second[4], float* const out[3]) {
        EXPECT(kgen_kernel_sum_partial(cpu, KGEN_KERNEL_LAPLACE, queries_at, m, data_at, half, d, nullptr, nullptr,
                                       1.0f, 0, 0, first[0], first[1], first[2], first[3]) == KGEN_OK,
               "%s partial state of the first slice: %s", layout, kgen_last_error());
        EXPECT(kgen_kernel_sum_partial(cpu, KGEN_KERNEL_LAPLACE, queries_at, m, data_at + half * d, n - half, d,
                                       nullptr, nullptr, 1.0f, 0, 0, second[0], second[1], second[2],
                                       second[3]) == KGEN_OK,
               "%s partial state of the second slice: %s", layout, kgen_last_error());
        EXPECT(kgen_partial_merge(cpu, m, d, first[0], first[1], first[2], first[3], second[0], second[1],
                                  second[2], second[3]) == KGEN_OK,
               "%s merge: %s", layout, kgen_last_error());
        EXPECT(kgen_partial_finalize(cpu, m, d, first[0], first[1], first[2], first[3], out[0], out[1],
                                     out[2]) == KGEN_OK,
               "%s finalize: %s", layout, kgen_last_error());
    };
    split_merge_finalize("packed", x, y, a, b, finalized);
    Floats apart_x(cpu, queries), apart_y(cpu, data), lse(cpu, m), mean(cpu, m * d), gradient(cpu, m * d);
    State sa(cpu, m, d, true), sb(cpu, m, d, true);
    float* const apart_a[4] = {sa.max_logit.get(), sa.sum_exp.get(), sa.weighted_sum.get(), sa.gradient_sum.get()};
    float* const apart_b[4] = {sb.max_logit.get(), sb.sum_exp.get(), sb.weighted_sum.get(), sb.gradient_sum.get()};
    float* const apart_out[3] = {lse.get(), mean.get(), gradient.get()};
    split_merge_finalize("separate", apart_x.get(), apart_y.get(), apart_a, apart_b, apart_out);
    EXPECT(same_bits(host_copy(cpu, finalized[0], m), lse.host()) &&
               same_bits(host_copy(cpu, finalized[1], m * d), mean.host()) &&
               same_bits(host_copy(cpu, finalized[2], m * d), gradient.host()),
           "partial states packed in one allocation finalize to other bits than separate buffers");
}

// x <- x + step (MEAN - x) / h^2 + noise z, z the kgen_normal_fill draws offset + i d + k of
// (seed, stream), at an offset that is no multiple of d or of a Philox block.
void check_score_step(kgen_context* cpu, const Case& c, float step, float noise, Rng& rng) {
    const reference::Problem p = random_problem(c, rng);
    const reference::Sums want = reference::kernel_sums(p);
    const Uploaded in(cpu, p);
    const uint64_t seed = rng.next(), stream = rng.next() >> 1, offset = 4099;
    Floats z(cpu, p.m * p.d);
    CHECK_OK(kgen_normal_fill(cpu, seed, stream, offset, z.get(), p.m * p.d));
    const std::vector<float> draws = z.host();
    Floats x(cpu, p.queries);
    CHECK_OK(kgen_gaussian_score_step(cpu, x.get(), p.m, in.data.get(), p.n, p.d, in.weight_pointer(),
                                      in.bandwidth_pointer(), scalar_bandwidth(p), step, noise, seed, stream, offset));
    std::vector<double> expected(p.m * p.d), scale(p.m * p.d);
    for (int64_t i = 0; i < p.m; ++i) {
        const double h2 = p.bandwidth_of(i) * p.bandwidth_of(i);
        for (int64_t k = i * p.d; k < (i + 1) * p.d; ++k) {
            const double x0 = p.queries[k];
            expected[k] = x0 + step * (want.mean[k] - x0) / h2 + (double)noise * draws[k];
            scale[k] = std::fabs(x0) + std::fabs(step) * (want.mean_scale[k] + std::fabs(x0)) / h2 +
                       std::fabs((double)noise * draws[k]) + 1e-30;
        }
    }
    EXPECT_CLOSE(format("score_step step=%g noise=%g, %s", step, noise, describe(c).c_str()), x.host(), expected,
                 scale, kCpuTolerance);
}

}  // namespace

void check_partial_states_and_score_step(kgen_context* cpu, Rng& rng) {
    for (int kernel : {KGEN_KERNEL_GAUSSIAN, KGEN_KERNEL_LAPLACE, KGEN_KERNEL_CAUCHY}) {
        check_split(cpu, Case{kernel, 29, 41, 3, true, false, false}, 3, true, false, rng);
        check_split(cpu, Case{kernel, 37, 37, 17, false, true, true}, 3, true, false, rng);
        check_split(cpu, Case{kernel, 1, 2, 1, false, false, false}, 2, false, false, rng);
        check_split(cpu, Case{kernel, 23, 23, 2, true, true, true}, 2, true, false, rng);
        check_split(cpu, Case{kernel, 19, 53, 33, true, false, false}, 3, true, true, rng);
    }
    check_empty_merge(cpu, rng);
    check_packed_layout(cpu, rng);
    check_score_step(cpu, Case{KGEN_KERNEL_GAUSSIAN, 31, 97, 3, false, false, false}, 0.25f, 0.5f, rng);
    check_score_step(cpu, Case{KGEN_KERNEL_GAUSSIAN, 1, 1, 1, false, false, false}, 0.5f, 0.0f, rng);
    check_score_step(cpu, Case{KGEN_KERNEL_GAUSSIAN, 17, 43, 17, true, true, false}, 0.1f, 0.3f, rng);
    check_score_step(cpu, Case{KGEN_KERNEL_GAUSSIAN, 7, 5, 33, true, false, false}, 1.0f, 0.0f, rng);
}

}  // namespace kgen_test
