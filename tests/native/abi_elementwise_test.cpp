// The operations that work element by element, on the CPU backend: kgen_scan, kgen_min_bandwidth,
// kgen_fill, the Philox fills, kgen_particle_update, kgen_row_update and kgen_sum_squares.
#include <algorithm>

#include "abi_inputs.h"
#include "abi_test.h"
#include "reference.h"

namespace kgen_test {
namespace {

struct ScanReport {
    int64_t bad_count = -7, first_bad = -7;
    double sum = NAN;
};

ScanReport scan(kgen_context* cpu, const std::vector<float>& values, float lower) {
    Floats buffer(cpu, values);
    ScanReport r;
    CHECK_OK(kgen_scan(cpu, buffer.get(), (int64_t)values.size(), lower, &r.bad_count, &r.first_bad, &r.sum));
    return r;
}

// Several bad values: the FIRST index is reported, whatever kind each is and wherever a backend
// splits the work (the sizes reach past 65,536).
void check_scan(kgen_context* cpu, Rng& rng) {
    for (int64_t count : {1, 2, 5003, 200003}) {
        std::vector<float> values = rng.normals(count);
        double sum = 0.0, magnitude = 0.0;
        for (float v : values) sum += v, magnitude += std::fabs(v);
        ScanReport clean = scan(cpu, values, -INFINITY);
        EXPECT(clean.bad_count == 0 && clean.first_bad == -1, "scan of %lld finite values: got %lld bad, first %lld",
               (long long)count, (long long)clean.bad_count, (long long)clean.first_bad);
        EXPECT(std::fabs(clean.sum - sum) <= 1e-9 * magnitude, "scan sum of %lld values: got %.17g want %.17g",
               (long long)count, clean.sum, sum);
        // Bad entries at random places, the earliest not always of the same kind.
        const float kinds[] = {NAN, INFINITY, -INFINITY};
        const int64_t bad = std::min<int64_t>(count, 4);
        std::vector<int64_t> places;
        while ((int64_t)places.size() < bad) {
            const int64_t at = rng.below(count);
            if (std::find(places.begin(), places.end(), at) == places.end()) places.push_back(at);
        }
        for (size_t b = 0; b < places.size(); ++b) values[places[b]] = kinds[(b + rng.below(3)) % 3];
        const int64_t first = *std::min_element(places.begin(), places.end());
        ScanReport r = scan(cpu, values, -INFINITY);
        EXPECT(r.bad_count == bad && r.first_bad == first,
               "scan of %lld values with %lld non-finite: got %lld bad, first %lld; want first %lld", (long long)count,
               (long long)bad, (long long)r.bad_count, (long long)r.first_bad, (long long)first);
    }
    // The lower bound: below it is bad, at it is not (nor is -0 at 0); -inf counts as non-finite.
    std::vector<float> values = {0.5f, 0.0f, -0.0f, 2.0f, std::nextafter(0.0f, -1.0f), -3.0f, 1.0f};
    ScanReport r = scan(cpu, values, 0.0f);
    EXPECT(r.bad_count == 2 && r.first_bad == 4, "scan with lower 0: got %lld bad, first %lld; want 2, first 4",
           (long long)r.bad_count, (long long)r.first_bad);
    // The sum is of all values, the bad ones too (3.5 without the two below the bound).
    EXPECT(std::fabs(r.sum - 0.5) <= 1e-12, "scan sum with lower 0: got %.17g, want 0.5", r.sum);
    values = {1.0f, -1e30f, -INFINITY, 5.0f};
    r = scan(cpu, values, -INFINITY);
    EXPECT(r.bad_count == 1 && r.first_bad == 2, "scan with lower -inf: got %lld bad, first %lld; want 1, first 2",
           (long long)r.bad_count, (long long)r.first_bad);
    EXPECT(r.sum == -INFINITY, "scan sum with a -inf entry: got %.17g, want -inf", r.sum);
    values = {3.0f, 1.5f, NAN, 0.5f};
    r = scan(cpu, values, 2.0f);
    EXPECT(r.bad_count == 3 && r.first_bad == 1, "scan with lower 2: got %lld bad, first %lld; want 3, first 1",
           (long long)r.bad_count, (long long)r.first_bad);
    // first_bad and sum may be NULL; nothing to scan is no bad entry.
    Floats some(cpu, std::vector<float>{1.0f, NAN});
    int64_t bad_count = -7;
    CHECK_OK(kgen_scan(cpu, some.get(), 2, -INFINITY, &bad_count, nullptr, nullptr));
    EXPECT(bad_count == 1, "scan with NULL first_bad and sum: got %lld bad", (long long)bad_count);
    ScanReport none;
    CHECK_OK(kgen_scan(cpu, nullptr, 0, 0.0f, &none.bad_count, &none.first_bad, &none.sum));
    EXPECT(none.bad_count == 0 && none.first_bad == -1 && none.sum == 0.0,
           "scan of 0 values: got %lld bad, first %lld, sum %g", (long long)none.bad_count,
           (long long)none.first_bad, none.sum);
}

// The least bandwidth is accepted, the next float down is not: as the scalar and per query.
void check_min_bandwidth(kgen_context* cpu, Rng& rng) {
    for (int kernel : {KGEN_KERNEL_GAUSSIAN, KGEN_KERNEL_LAPLACE, KGEN_KERNEL_CAUCHY}) {
        for (int64_t d : {1, 2, 3, 17, 33, 784}) {
            const float least = kgen_min_bandwidth(kernel, d);
            const float below = std::nextafter(least, 0.0f);
            EXPECT(std::isfinite(least) && least > 0.0f && least < 1e-3f, "kgen_min_bandwidth(%d, %lld) = %g", kernel,
                   (long long)d, least);
            const int64_t m = 5, n = 4;
            Floats x(cpu, rng.normals(m * d)), y(cpu, rng.normals(n * d)), lse(cpu, m);
            Floats at_least(cpu, std::vector<float>(m, least));
            std::vector<float> one_below(m, least);
            one_below[2] = below;
            Floats with_below(cpu, one_below);
            const std::string name = format("%s d=%lld least %a", kernel_name(kernel), (long long)d, least);
            EXPECT(kgen_kernel_sum(cpu, kernel, x.get(), m, y.get(), n, d, nullptr, nullptr, least, 0, lse.get(),
                                   nullptr, nullptr) == KGEN_OK,
                   "%s: the least bandwidth is rejected: %s", name.c_str(), kgen_last_error());
            EXPECT_REJECTED(kgen_kernel_sum(cpu, kernel, x.get(), m, y.get(), n, d, nullptr, nullptr, below, 0,
                                            lse.get(), nullptr, nullptr),
                            KGEN_INVALID_ARGUMENT, "bandwidth");
            EXPECT(kgen_kernel_sum(cpu, kernel, x.get(), m, y.get(), n, d, nullptr, at_least.get(), NAN, 0, lse.get(),
                                   nullptr, nullptr) == KGEN_OK,
                   "%s: the least bandwidth per query is rejected: %s", name.c_str(), kgen_last_error());
            EXPECT_REJECTED(kgen_kernel_sum(cpu, kernel, x.get(), m, y.get(), n, d, nullptr, with_below.get(), 1.0f, 0,
                                            lse.get(), nullptr, nullptr),
                            KGEN_INVALID_ARGUMENT, "bandwidths[2]");
        }
    }
    const std::pair<int, int64_t> unknown[] = {{3, 2}, {-1, 2}, {KGEN_KERNEL_GAUSSIAN, 0}, {KGEN_KERNEL_CAUCHY, -1}};
    for (auto [kernel, d] : unknown) {
        EXPECT(std::isnan(kgen_min_bandwidth(kernel, d)), "kgen_min_bandwidth(%d, %lld): want NaN, got %g", kernel,
               (long long)d, kgen_min_bandwidth(kernel, d));
    }
}

std::vector<float> philox_fill(kgen_context* cpu, bool normal, uint64_t seed, uint64_t stream, uint64_t offset,
                        int64_t count) {
    Floats out(cpu, count);
    CHECK_OK((normal ? kgen_normal_fill : kgen_uniform_fill)(cpu, seed, stream, offset, out.get(), count));
    return out.host();
}

void check_fills(kgen_context* cpu, Rng& rng) {
    Floats constant(cpu, 1001);
    CHECK_OK(kgen_fill(cpu, constant.get(), 3.5f, 1001));
    EXPECT_CLOSE("kgen_fill", constant.host(), std::vector<double>(1001, 3.5), std::vector<double>(1001, 1.0), 0.0);
    CHECK_OK(kgen_fill(cpu, nullptr, 1.0f, 0));

    // Random123's first known answer, through the ABI: seed 0, stream 0, block 0.
    const uint32_t known[4] = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8};
    const std::vector<float> first = philox_fill(cpu, false, 0, 0, 0, 4);
    for (int k = 0; k < 4; ++k) {
        EXPECT(first[k] == (float)(known[k] >> 8) * 0x1.0p-24f, "uniform element %d of seed 0: got %a want %a", k,
               first[k], (float)(known[k] >> 8) * 0x1.0p-24f);
    }
    for (int trial = 0; trial < 3; ++trial) {
        // Offsets and streams with high bits set and offsets not a multiple of 4.
        const uint64_t seed = rng.next(), stream = rng.next(), offset = (rng.next() >> 2) | 1;
        const int64_t count = 10007;
        const std::vector<float> uniforms = philox_fill(cpu, false, seed, stream, offset, count);
        const std::vector<float> normals = philox_fill(cpu, true, seed, stream, offset, count);
        std::vector<double> want_u(count), want_z(count), scale_z(count);
        for (int64_t i = 0; i < count; ++i) {
            want_u[i] = reference::uniform_element(seed, stream, offset + i);
            want_z[i] = reference::normal_element(seed, stream, offset + i);
            // The floor covers libm's absolute error where z is near 0 (an angle near pi/2).
            scale_z[i] = std::fabs(want_z[i]) + 1e-7;
        }
        const std::string name = format("seed %llu stream %llu offset %llu", (unsigned long long)seed,
                                        (unsigned long long)stream, (unsigned long long)offset);
        EXPECT_CLOSE("uniform_fill, " + name, uniforms, want_u, std::vector<double>(count, 1.0), 0.0);
        // A correctly rounded float is within half an ulp (2^-24) of the double; allow one ulp.
        EXPECT_CLOSE("normal_fill, " + name, normals, want_z, scale_z, 0x1.0p-23);
        // The same bits when the range is drawn in two pieces, split at an odd place.
        for (int64_t split : {1, 3, 1001}) {
            for (bool normal : {false, true}) {
                std::vector<float> pieces = philox_fill(cpu, normal, seed, stream, offset, split);
                const std::vector<float> rest = philox_fill(cpu, normal, seed, stream, offset + split, count - split);
                pieces.insert(pieces.end(), rest.begin(), rest.end());
                EXPECT(same_bits(pieces, normal ? normals : uniforms), "%s_fill in two pieces split at %lld, %s",
                       normal ? "normal" : "uniform", (long long)split, name.c_str());
            }
        }
    }
    CHECK_OK(kgen_normal_fill(cpu, 1, 2, 3, nullptr, 0));
    CHECK_OK(kgen_uniform_fill(cpu, 1, 2, 3, nullptr, 0));
}

// x <- x + alpha a + beta b + noise z, z the kgen_normal_fill draws offset + k.
void check_particle_update(kgen_context* cpu, Rng& rng) {
    for (int variant = 0; variant < 5; ++variant) {
        const int64_t count = variant == 4 ? 1 : 1001;
        const bool with_a = variant != 1 && variant != 3, with_b = variant != 2 && variant != 3;
        const float alpha = (float)rng.uniform(-2, 2), beta = (float)rng.uniform(-2, 2);
        const float noise = variant == 2 ? 0.0f : (float)rng.uniform(0.1, 1.5);
        const uint64_t seed = rng.next(), stream = rng.next(), offset = rng.next() >> 3;
        const std::vector<float> x0 = rng.normals(count), a = rng.normals(count), b = rng.normals(count);
        const std::vector<float> z = philox_fill(cpu, true, seed, stream, offset, count);
        Floats x(cpu, x0), ba(cpu, a), bb(cpu, b);
        CHECK_OK(kgen_particle_update(cpu, x.get(), count, alpha, with_a ? ba.get() : nullptr, beta,
                                      with_b ? bb.get() : nullptr, noise, seed, stream, offset));
        std::vector<double> want(count), scale(count);
        for (int64_t k = 0; k < count; ++k) {
            const double ta = with_a ? (double)alpha * a[k] : 0.0, tb = with_b ? (double)beta * b[k] : 0.0;
            const double tz = noise != 0.0f ? (double)noise * z[k] : 0.0;
            want[k] = x0[k] + ta + tb + tz;
            scale[k] = std::fabs(x0[k]) + std::fabs(ta) + std::fabs(tb) + std::fabs(tz) + 1e-30;
        }
        EXPECT_CLOSE(format("particle_update count=%lld a=%d b=%d noise=%g", (long long)count, with_a, with_b, noise),
                     x.host(), want, scale, 1e-6);
    }
    CHECK_OK(kgen_particle_update(cpu, nullptr, 0, 1.0f, nullptr, 1.0f, nullptr, 1.0f, 1, 2, 3));
}

// y[i, :] += row_scale[i] (a[i, :] - x[i, :]); x NULL: y += row_scale a.
void check_row_update(kgen_context* cpu, Rng& rng) {
    for (auto [m, d] : {std::pair<int64_t, int64_t>{1, 1}, {13, 17}, {1001, 3}, {2, 33}}) {
        for (bool with_x : {true, false}) {
            const std::vector<float> y0 = rng.normals(m * d), a = rng.normals(m * d), x = rng.normals(m * d);
            const std::vector<float> s = rng.normals(m);
            Floats y(cpu, y0), ba(cpu, a), bx(cpu, x), bs(cpu, s);
            CHECK_OK(kgen_row_update(cpu, y.get(), ba.get(), with_x ? bx.get() : nullptr, bs.get(), m, d));
            std::vector<double> want(m * d), scale(m * d);
            for (int64_t k = 0; k < m * d; ++k) {
                const double xk = with_x ? x[k] : 0.0;
                want[k] = y0[k] + (double)s[k / d] * ((double)a[k] - xk);
                scale[k] = std::fabs(y0[k]) + std::fabs(s[k / d]) * (std::fabs(a[k]) + std::fabs(xk)) + 1e-30;
            }
            EXPECT_CLOSE(format("row_update m=%lld d=%lld x=%d", (long long)m, (long long)d, with_x), y.host(), want,
                         scale, 1e-6);
        }
    }
}

void check_sum_squares(kgen_context* cpu, Rng& rng) {
    double result = NAN;
    Floats ones(cpu, std::vector<float>(131072, 1.0f));
    CHECK_OK(kgen_sum_squares(cpu, ones.get(), 131072, &result));
    EXPECT(result == 131072.0, "sum_squares of 131,072 ones: got %.17g", result);
    for (int64_t count : {1, 7, 65537, 200003}) {
        const std::vector<float> values = rng.normals(count);
        double want = 0.0;
        for (float v : values) want += (double)v * v;
        Floats buffer(cpu, values);
        double got = NAN, again = NAN;
        CHECK_OK(kgen_sum_squares(cpu, buffer.get(), count, &got));
        CHECK_OK(kgen_sum_squares(cpu, buffer.get(), count, &again));
        EXPECT(std::fabs(got - want) <= 1e-12 * want, "sum_squares of %lld values: got %.17g want %.17g",
               (long long)count, got, want);
        EXPECT(std::memcmp(&got, &again, sizeof got) == 0, "sum_squares repeated: %.17g then %.17g", got, again);
    }
    result = NAN;
    CHECK_OK(kgen_sum_squares(cpu, nullptr, 0, &result));
    EXPECT(result == 0.0, "sum_squares of nothing: got %g", result);
}

}  // namespace

void check_elementwise(kgen_context* cpu, Rng& rng) {
    check_scan(cpu, rng);
    check_min_bandwidth(cpu, rng);
    check_fills(cpu, rng);
    check_particle_update(cpu, rng);
    check_row_update(cpu, rng);
    check_sum_squares(cpu, rng);
}

}  // namespace kgen_test
