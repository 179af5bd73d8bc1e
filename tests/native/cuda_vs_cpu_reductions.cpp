// The pairwise reductions on CUDA against the CPU backend: kernel sums with every output,
// log-densities, scores, partial states over slices, the fused Euler step, nearest two and
// distance sums. Sizes reach past the tiles a kernel takes (n in the thousands, d up to 3072).
#include <memory>
#include <tuple>

#include "abi_inputs.h"
#include "cuda_vs_cpu.h"

namespace kgen_test {

bool quick = false;
bool tiny = false;

double logit_widening(double max_logit, int64_t d) {
    const double per_logit = 4 * 0x1p-24 * (std::sqrt((double)d) + 3);
    return 1 + per_logit * (std::isfinite(max_logit) ? std::fabs(max_logit) : 0) / kCudaTolerance;
}

std::vector<double> widened_rows(std::vector<double> scale, const reference::Sums& sums, int64_t d) {
    const int64_t width = (int64_t)(scale.size() / sums.max_logit.size());
    for (size_t k = 0; k < scale.size(); ++k) scale[k] *= logit_widening(sums.max_logit[k / width], d);
    return scale;
}

namespace {

struct Reduced {
    std::vector<float> lse, mean, gradient, log_density, score;
};

Reduced reduce(kgen_context* context, const reference::Problem& p) {
    const Uploaded in(context, p);
    Floats lse(context, p.m), mean(context, p.m * p.d), gradient(context, p.m * p.d);
    Floats log_density(context, p.m), score(context, p.m * p.d);
    CHECK_OK(kgen_kernel_sum(context, p.kernel, in.query_pointer(), p.m, in.data.get(), p.n, p.d, in.weight_pointer(),
                             in.bandwidth_pointer(), scalar_bandwidth(p), p.leave_one_out, lse.get(), mean.get(),
                             gradient.get()));
    CHECK_OK(kgen_log_density(context, p.kernel, in.query_pointer(), p.m, in.data.get(), p.n, p.d,
                              in.weight_pointer(), in.bandwidth_pointer(), scalar_bandwidth(p), p.leave_one_out,
                              log_density.get()));
    CHECK_OK(kgen_score(context, p.kernel, in.query_pointer(), p.m, in.data.get(), p.n, p.d, in.weight_pointer(),
                        in.bandwidth_pointer(), scalar_bandwidth(p), p.leave_one_out, score.get()));
    return Reduced{lse.host(), mean.host(), gradient.host(), log_density.host(), score.host()};
}

void compare_case(const Backends& backends, const Case& c, Rng& rng) {
    const reference::Problem p = random_problem(c, rng);
    const reference::Sums scale = reference::kernel_sums(p);  // for the error scales only
    const auto [cpu, cuda] = backends.both([&](kgen_context* context) { return reduce(context, p); });
    const std::string name = describe(c);
    const int64_t d = c.d;
    EXPECT_CLOSE("lse, " + name, cuda.lse, widened(cpu.lse), widened_rows(scale.lse_scale, scale, d), kCudaTolerance);
    EXPECT_CLOSE("mean, " + name, cuda.mean, widened(cpu.mean), widened_rows(scale.mean_scale, scale, d),
                 kCudaTolerance);
    EXPECT_CLOSE("gradient, " + name, cuda.gradient, widened(cpu.gradient),
                 widened_rows(scale.gradient_scale, scale, d), kCudaTolerance);
    EXPECT_CLOSE("log_density, " + name, cuda.log_density, widened(cpu.log_density),
                 widened_rows(scale.log_density_scale, scale, d), kCudaTolerance);
    EXPECT_CLOSE("score, " + name, cuda.score, widened(cpu.score), widened_rows(scale.score_scale, scale, d),
                 kCudaTolerance);
}

// Three slices (the first a single row), merged in order and finalized; without gradient sums
// (gradient = false) the tensor-core path serves d >= 32.
void compare_partial_states(const Backends& backends, const Case& c, Rng& rng, bool gradient = true) {
    const reference::Problem p = random_problem(c, rng);
    const int64_t cut1 = 1, cut2 = 1 + c.n / 2;
    const auto [cpu, cuda] = backends.both([&](kgen_context* context) {
        const Uploaded in(context, p);
        const int64_t m = c.m, d = c.d, cuts[4] = {0, cut1, cut2, c.n};
        std::vector<std::unique_ptr<Floats>> state;  // max, sum, weighted, gradient per slice
        for (int s = 0; s < 3; ++s) {
            for (int64_t count : {m, m, m * d, gradient ? m * d : 0}) state.emplace_back(new Floats(context, count));
            CHECK_OK(kgen_kernel_sum_partial(
                context, c.kernel, in.query_pointer(), m, in.data.get() + cuts[s] * d, cuts[s + 1] - cuts[s], d,
                in.weighted ? in.weights.get() + cuts[s] : nullptr, in.bandwidth_pointer(), scalar_bandwidth(p),
                c.leave_one_out, -cuts[s], state[4 * s]->get(), state[4 * s + 1]->get(), state[4 * s + 2]->get(),
                gradient ? state[4 * s + 3]->get() : nullptr));
        }
        for (int s = 1; s < 3; ++s) {
            CHECK_OK(kgen_partial_merge(context, m, d, state[0]->get(), state[1]->get(), state[2]->get(),
                                        gradient ? state[3]->get() : nullptr, state[4 * s]->get(),
                                        state[4 * s + 1]->get(), state[4 * s + 2]->get(),
                                        gradient ? state[4 * s + 3]->get() : nullptr));
        }
        Floats lse(context, m), mean(context, m * d), gradient_out(context, gradient ? m * d : 0);
        CHECK_OK(kgen_partial_finalize(context, m, d, state[0]->get(), state[1]->get(), state[2]->get(),
                                       gradient ? state[3]->get() : nullptr, lse.get(), mean.get(),
                                       gradient ? gradient_out.get() : nullptr));
        return Reduced{lse.host(), mean.host(), gradient_out.host(), {}, {}};
    });
    reference::Problem unit = p;
    unit.unit_null_weights = true;
    const reference::Sums scale = reference::kernel_sums(unit);
    const std::string name = "partial states, " + describe(c);
    EXPECT_CLOSE(name + " lse", cuda.lse, widened(cpu.lse), scale.lse_scale, kCudaTolerance);
    EXPECT_CLOSE(name + " mean", cuda.mean, widened(cpu.mean), scale.mean_scale, kCudaTolerance);
    if (gradient) {
        EXPECT_CLOSE(name + " gradient", cuda.gradient, widened(cpu.gradient), scale.gradient_scale, kCudaTolerance);
    }
}

// The same Philox draws on both (at an offset, as for one block of a split run), so the moved
// points agree.
void compare_score_step(const Backends& backends, const Case& c, float step, float noise, Rng& rng) {
    const reference::Problem p = random_problem(c, rng);
    const uint64_t seed = rng.next(), stream = rng.next();
    const auto [cpu, cuda] = backends.both([&](kgen_context* context) {
        const Uploaded in(context, p);
        Floats x(context, p.queries);
        CHECK_OK(kgen_gaussian_score_step(context, x.get(), p.m, in.data.get(), p.n, p.d, in.weight_pointer(),
                                          in.bandwidth_pointer(), scalar_bandwidth(p), step, noise, seed, stream, 77));
        return x.host();
    });
    const reference::Sums sums = reference::kernel_sums(p);
    std::vector<double> scale(cpu.size());
    for (size_t k = 0; k < scale.size(); ++k) {
        const double h = p.bandwidth_of((int64_t)k / p.d);
        scale[k] = std::fabs(p.queries[k]) + step * (sums.mean_scale[k] + std::fabs(p.queries[k])) / (h * h) + noise;
    }
    EXPECT_CLOSE(format("score_step step=%g noise=%g, %s", step, noise, describe(c).c_str()), cuda, widened(cpu),
                 scale, kCudaTolerance);
}

}  // namespace

void compare_kernel_sums(const Backends& backends, Rng& rng) {
    for (int kernel : {KGEN_KERNEL_GAUSSIAN, KGEN_KERNEL_LAPLACE, KGEN_KERNEL_CAUCHY}) {
        const Case cases[] = {
            {kernel, 1, 1, 1, false, false, false},    {kernel, 131, 97, 2, true, true, false},
            {kernel, 97, 131, 3, false, true, false},  {kernel, 61, 61, 17, false, false, true},
            {kernel, 61, 61, 5, true, false, true},    {kernel, 3, 5003, 2, false, false, false},
            {kernel, 29, 53, 784, true, true, false},  {kernel, 17, 301, 33, false, true, false},
            {kernel, 2, 2, 3072, false, false, true},  {kernel, 300, 7, 32, true, true, false},
            {kernel, 1000, 1000, 2, false, false, true}, {kernel, 11, 19, 3, false, false, false, true},
        };
        for (const Case& c : cases) {
            if (!quick || c.m * c.n * c.d <= (tiny ? 6000 : 40000)) compare_case(backends, c, rng);
        }
        // In every mode, the sanitizer runs included, so that each barrier guards something: two
        // query blocks, two data tiles and two coordinate chunks of the any-d kernel; and a low-d
        // reduction split across blocks (four splits with 2 SMs), which the combine pass merges.
        compare_case(backends, Case{kernel, 17, 65, 33, true, false, false}, rng);
        compare_case(backends, Case{kernel, 3, 1031, 2, false, true, false}, rng);
        compare_partial_states(backends, Case{kernel, 37, tiny ? 61 : 211, 7, true, false, false}, rng);
        compare_partial_states(backends, Case{kernel, tiny ? 13 : 41, tiny ? 13 : 41, 17, false, true, true}, rng);
        // The tensor-core path's partial states: three slices, one of a single row.
        compare_partial_states(backends, Case{kernel, tiny ? 5 : 37, tiny ? 7 : 67, 33, true, false, false}, rng, false);
        if (!quick) compare_partial_states(backends, Case{kernel, 19, 23, 784, false, true, true}, rng, false);
    }
    if (!quick) {
        compare_score_step(backends, Case{KGEN_KERNEL_GAUSSIAN, 131, 2003, 17, false, false, false}, 0.5f, 0.3f, rng);
    }
    compare_score_step(backends, Case{KGEN_KERNEL_GAUSSIAN, 97, 89, 3, true, true, false}, 0.2f, 0.0f, rng);
}

void compare_pairwise(const Backends& backends, Rng& rng) {
    for (int64_t d : {1, 2, 17, 300}) {
        if (quick && d > 17) continue;
        const int64_t m = tiny ? 13 : quick ? 37 : 97, n = tiny ? 67 : quick ? 211 : 1031;
        for (bool leave_one_out : {false, true}) {
            const int64_t rows = leave_one_out ? m : n;
            const std::vector<float> data = rng.normals(rows * d), queries = rng.normals(m * d);
            const std::vector<float> weights = rng.uniforms(rows, 0.0, 2.0);
            const auto [cpu, cuda] = backends.both([&](kgen_context* context) {
                Floats x(context, queries), y(context, data), w(context, weights);
                Floats distances(context, 2 * m), sums(context, m);
                Indices indices(context, 2 * m);
                const float* q = leave_one_out ? y.get() : x.get();
                CHECK_OK(kgen_nearest_two(context, q, m, y.get(), rows, d, leave_one_out, distances.get(),
                                          indices.get()));
                CHECK_OK(kgen_distance_sum(context, q, m, y.get(), rows, d, w.get(), leave_one_out, sums.get()));
                return std::make_tuple(distances.host(), indices.host(), sums.host());
            });
            const std::string name = format("d=%lld loo=%d", (long long)d, leave_one_out);
            const std::vector<double> ones(2 * m, 1.0), sum_scale(std::get<2>(cpu).begin(), std::get<2>(cpu).end());
            EXPECT_CLOSE("nearest_two distances, " + name, std::get<0>(cuda), widened(std::get<0>(cpu)), ones,
                         kCudaTolerance);
            EXPECT_CLOSE("distance_sum, " + name, std::get<2>(cuda), widened(std::get<2>(cpu)), sum_scale,
                         kCudaTolerance);
            int64_t differ = 0;
            for (size_t k = 0; k < std::get<1>(cpu).size(); ++k) differ += std::get<1>(cpu)[k] != std::get<1>(cuda)[k];
            // Float distances may swap a near-tie that double resolves; no more than a pair.
            EXPECT(differ <= 2, "nearest_two indices, %s: %lld of %lld differ", name.c_str(), (long long)differ,
                   (long long)(2 * m));
        }
    }
}

}  // namespace kgen_test
