// The element-wise operations on CUDA against the CPU backend: kgen_fill and the copies, kgen_scan
// (the first bad index across the device's blocks), the Philox fills (bit for bit),
// kgen_particle_update, kgen_row_update, kgen_sum_squares (repeatable to the bit), and the argument
// checks that scan context memory (weights and bandwidths, on the device here).
#include <functional>

#include "abi_inputs.h"
#include "cuda_vs_cpu.h"

namespace kgen_test {
namespace {

void compare_memory(const Backends& backends, Rng& rng) {
    const std::vector<float> values = rng.normals(100003);
    const auto [cpu, cuda] = backends.both([&](kgen_context* context) {
        Floats first(context, values), second(context, values.size()), constant(context, 1001);
        CHECK_OK(kgen_copy_within(context, second.get(), first.get(), values.size() * sizeof(float)));
        CHECK_OK(kgen_fill(context, constant.get(), -2.5f, 1001));
        std::vector<float> out = second.host(), filled = constant.host();
        out.insert(out.end(), filled.begin(), filled.end());
        return out;
    });
    EXPECT(same_bits(cpu, cuda), "copies and kgen_fill differ between CPU and CUDA");
    size_t free_bytes = 0, total_bytes = 0;
    CHECK_OK(kgen_memory_info(backends.cuda, &free_bytes, &total_bytes));
    EXPECT(free_bytes <= total_bytes && total_bytes > 0, "CUDA memory info: %zu free of %zu", free_bytes, total_bytes);
    CHECK_OK(kgen_synchronize(backends.cuda));
}

void compare_scan(const Backends& backends, Rng& rng) {
    for (int64_t count : {int64_t(1), int64_t(4099), quick ? int64_t(20011) : int64_t(200003), tiny ? int64_t(2) : quick ? int64_t(70001) : int64_t(1) << 22}) {
        std::vector<float> values = rng.normals(count);
        for (int bad = 0; bad < 4; ++bad) values[rng.below(count)] = bad % 2 ? NAN : -INFINITY;
        values[count - 1] = INFINITY;
        for (float lower : {-INFINITY, -1.0f}) {
            const auto [cpu, cuda] = backends.both([&](kgen_context* context) {
                Floats buffer(context, values);
                int64_t bad_count = -7, first_bad = -7;
                double sum = 0.0;
                CHECK_OK(kgen_scan(context, buffer.get(), count, lower, &bad_count, &first_bad, &sum));
                return std::make_pair(bad_count, first_bad);
            });
            EXPECT(cpu == cuda, "scan of %lld values, lower %g: CPU %lld bad, first %lld; CUDA %lld bad, first %lld",
                   (long long)count, lower, (long long)cpu.first, (long long)cpu.second, (long long)cuda.first,
                   (long long)cuda.second);
        }
    }
}

void compare_philox(const Backends& backends, Rng& rng) {
    const uint64_t seed = rng.next(), stream = rng.next(), offset = (rng.next() >> 2) | 3;
    const int64_t count = tiny ? 1031 : quick ? 10007 : 100003;
    for (bool normal : {false, true}) {
        const auto [cpu, cuda] = backends.both([&](kgen_context* context) {
            Floats out(context, count);
            CHECK_OK((normal ? kgen_normal_fill : kgen_uniform_fill)(context, seed, stream, offset, out.get(), count));
            return out.host();
        });
        EXPECT(same_bits(cpu, cuda), "%s_fill: CUDA and CPU bits differ over %lld draws", normal ? "normal" : "uniform",
               (long long)count);
    }
    // The update may fuse a multiply-add on the device: close, not identical.
    const std::vector<float> x = rng.normals(count), a = rng.normals(count), b = rng.normals(count);
    const auto [cpu, cuda] = backends.both([&](kgen_context* context) {
        Floats bx(context, x), ba(context, a), bb(context, b);
        CHECK_OK(kgen_particle_update(context, bx.get(), count, 0.7f, ba.get(), -0.3f, bb.get(), 0.4f, seed, stream,
                                      offset));
        CHECK_OK(kgen_particle_update(context, bx.get(), count, 0.1f, nullptr, 0.2f, bb.get(), 0.0f, seed, stream, 0));
        return bx.host();
    });
    EXPECT_CLOSE("particle_update", cuda, widened(cpu), std::vector<double>(count, 4.0), 1e-6);
}

void compare_rows(const Backends& backends, Rng& rng) {
    const int64_t m = 1001, d = 7;
    const std::vector<float> y = rng.normals(m * d), a = rng.normals(m * d), x = rng.normals(m * d);
    const std::vector<float> scale = rng.normals(m);
    const auto [cpu, cuda] = backends.both([&](kgen_context* context) {
        Floats by(context, y), ba(context, a), bx(context, x), bs(context, scale);
        CHECK_OK(kgen_row_update(context, by.get(), ba.get(), bx.get(), bs.get(), m, d));
        CHECK_OK(kgen_row_update(context, by.get(), ba.get(), nullptr, bs.get(), m, d));
        return by.host();
    });
    EXPECT_CLOSE("row_update", cuda, widened(cpu), std::vector<double>(m * d, 10.0), 1e-6);

    for (int64_t count : {int64_t(1), int64_t(131072), tiny ? int64_t(2) : quick ? int64_t(20011) : int64_t(1000003)}) {
        const std::vector<float> values = count == 131072 ? std::vector<float>(count, 1.0f) : rng.normals(count);
        const auto [sum_cpu, sums_cuda] = backends.both([&](kgen_context* context) {
            Floats buffer(context, values);
            double first = NAN, again = NAN;
            CHECK_OK(kgen_sum_squares(context, buffer.get(), count, &first));
            CHECK_OK(kgen_sum_squares(context, buffer.get(), count, &again));
            return std::make_pair(first, again);
        });
        EXPECT(std::fabs(sums_cuda.first - sum_cpu.first) <= 1e-9 * sum_cpu.first &&
                   std::memcmp(&sums_cuda.first, &sums_cuda.second, sizeof(double)) == 0,
               "sum_squares of %lld: CPU %.17g, CUDA %.17g then %.17g", (long long)count, sum_cpu.first,
               sums_cuda.first, sums_cuda.second);
    }
}

// A CUDA context checks weights and bandwidths on the device, in a pass of the operation itself:
// the call is only queued (KGEN_OK), and the next call that waits for the device (here `wait`)
// reports the failure, once. A CPU context rejects the call itself. Either way the status and the
// first bad index must be the CPU's.
void expect_rejected(kgen_context* context, bool on_device, kgen_status call, const std::function<kgen_status()>& wait,
                     const char* needle, const char* what) {
    if (on_device) {
        EXPECT(call == KGEN_OK, "%s on CUDA: want the call queued (status 0), got %d: %s", what, (int)call,
               call == KGEN_OK ? "" : kgen_last_error());
        EXPECT_REJECTED(wait(), KGEN_INVALID_ARGUMENT, needle);
        CHECK_OK(kgen_synchronize(context));  // reported once
    } else {
        EXPECT_REJECTED(call, KGEN_INVALID_ARGUMENT, needle);
    }
}

void compare_checks(const Backends& backends, Rng& rng) {
    const int64_t m = tiny ? 61 : quick ? 301 : 4099, n = tiny ? 1001 : quick ? 5003 : 70001, d = 2;
    const int64_t bad_weight = n * 4 / 7, bad_bandwidth = m * 3 / 4;
    const std::string weight_name = "weights[" + std::to_string(bad_weight) + "]";
    // The whole message: the first bad entry's value and the count must be found on the device too.
    const std::string weight_message = weight_name + " must be finite and >= 0, got -1 (3 bad weight(s))";
    const std::string bandwidth_name = "bandwidths[" + std::to_string(bad_bandwidth) + "]";
    const std::vector<float> x = rng.normals(m * d), y = rng.normals(n * d);
    std::vector<float> weights = rng.uniforms(n, 0.1, 1.0), bandwidths = rng.uniforms(m, 0.5, 1.0);
    weights[n - 5] = NAN, weights[bad_weight] = -1.0f, weights[n - 1] = INFINITY;
    bandwidths[m - 1] = NAN;
    bandwidths[bad_bandwidth] = std::nextafter(kgen_min_bandwidth(KGEN_KERNEL_LAPLACE, d), 0.0f);
    for (kgen_context* context : {backends.cpu, backends.cuda}) {
        const bool on_device = context == backends.cuda;
        Floats bx(context, x), by(context, y), bw(context, weights), bh(context, bandwidths), lse(context, m);
        Floats zeros(context, std::vector<float>(n, 0.0f)), sums(context, m);
        std::vector<float> host(m);
        const auto copy_back = [&] { return kgen_copy_to_host(context, host.data(), lse.get(), m * sizeof(float)); };
        const auto synchronize = [&] { return kgen_synchronize(context); };
        const auto kernel_sum = [&](const float* w, const float* h) {
            return kgen_kernel_sum(context, KGEN_KERNEL_LAPLACE, bx.get(), m, by.get(), n, d, w, h, 1.0f, 0, lse.get(),
                                   nullptr, nullptr);
        };
        expect_rejected(context, on_device, kernel_sum(bw.get(), nullptr), copy_back, weight_message.c_str(), "weights");
        expect_rejected(context, on_device, kernel_sum(nullptr, bh.get()), synchronize,
                        (bandwidth_name + " must be finite and at least").c_str(), "bandwidths");
        expect_rejected(context, on_device, kernel_sum(nullptr, bh.get()), synchronize, "(2 bad bandwidth(s))",
                        "bandwidth count");
        // Both bad: the weights first, as the CPU checks them.
        expect_rejected(context, on_device, kernel_sum(bw.get(), bh.get()), synchronize, weight_name.c_str(), "both");
        expect_rejected(context, on_device, kernel_sum(zeros.get(), nullptr), copy_back, "positive sum", "zero weights");
        expect_rejected(context, on_device,
                        kgen_distance_sum(context, bx.get(), m, by.get(), n, d, bw.get(), 0, sums.get()), synchronize,
                        weight_name.c_str(), "distance sum");
        CHECK_OK(kgen_distance_sum(context, bx.get(), m, by.get(), n, d, zeros.get(), 0, sums.get()));
        // Three queries: the device check runs in one block, whose last thread to finish reads the
        // first bad value; the bad entry (40) is read by another warp than that thread's.
        std::vector<float> one_bad = rng.uniforms(n, 0.1, 1.0);
        one_bad[40] = -1.0f;
        Floats bad40(context, one_bad);
        expect_rejected(context, on_device,
                        kgen_kernel_sum(context, KGEN_KERNEL_GAUSSIAN, bx.get(), 3, by.get(), n, d, bad40.get(),
                                        nullptr, 1.0f, 0, lse.get(), nullptr, nullptr),
                        copy_back, "weights[40] must be finite and >= 0, got -1 (1 bad weight(s))", "one block");
        CHECK_OK(kernel_sum(nullptr, nullptr));
        CHECK_OK(copy_back());
    }

    // More checked operations than the device's table of check records holds between two waits:
    // a full table is read and cleared in passing, and the results stay the CPU's.
    const int64_t few = 7, rows = 33;
    const std::vector<float> fx = rng.normals(few * d), fy = rng.normals(rows * d);
    const std::vector<float> good_bandwidths = rng.uniforms(few, 0.5, 1.0), good_weights = rng.uniforms(rows, 0.1, 1.0);
    const auto [cpu, cuda] = backends.both([&](kgen_context* context) {
        Floats bx(context, fx), by(context, fy), bw(context, good_weights), bh(context, good_bandwidths);
        Floats lse(context, few);
        for (int call = 0; call < 300; ++call) {
            CHECK_OK(kgen_kernel_sum(context, KGEN_KERNEL_GAUSSIAN, bx.get(), few, by.get(), rows, d, bw.get(), bh.get(),
                                     1.0f, 0, lse.get(), nullptr, nullptr));
        }
        return lse.host();
    });
    EXPECT_CLOSE("lse after 300 checked calls", cuda, widened(cpu), std::vector<double>(few, 10.0), kCudaTolerance);
}

}  // namespace

void compare_elementwise(const Backends& backends, Rng& rng) {
    compare_memory(backends, rng);
    compare_scan(backends, rng);
    compare_philox(backends, rng);
    compare_rows(backends, rng);
    compare_checks(backends, rng);
}

}  // namespace kgen_test
