// Argument checks of the C ABI (checks.h).
#include "checks.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/kernels.h"
#include "errors.h"

namespace kgen {
namespace checks {
namespace {

constexpr float kLog2e = 1.4426950408889634f;

const char* kernel_name(int kernel) {
    return for_kernel(kernel, [](auto k) { return decltype(k)::kName; });
}

// Whether a bandwidth keeps every prepared coefficient finite in float, as the CUDA kernels
// (logits in base 2) prepare them.
bool bandwidth_usable(int kernel, int64_t d, float b) {
    return for_kernel(kernel, [&](auto k) {
        using Query = typename decltype(k)::template Query<float>;
        return Query(b, d, kLog2e).finite();
    });
}

float read_value(Backend& backend, const float* values, int64_t index) {
    float value = 0.0f;
    backend.copy_to_host(&value, values + index, sizeof value);
    return value;
}

// Runs `check` now with a scan on the context, or leaves it in the operation for a backend that
// checks on the device as it reads.
ValueCheck run_or_defer(Backend& backend, const ValueCheck& check) {
    if (backend.defers_value_checks()) return check;
    const ScanResult scan = backend.scan(check.values, check.count, check.lower);
    const float first = scan.bad_count > 0 ? read_value(backend, check.values, scan.first_bad) : 0.0f;
    raise_if_bad(check, scan, first);
    return ValueCheck{};
}

}  // namespace

void raise_if_bad(const ValueCheck& check, const ScanResult& scan, float first_value) {
    const bool weights = check.kind == ValueCheck::Kind::kWeights;
    if (scan.bad_count > 0 && weights) {
        throw invalid_argument("weights[" + std::to_string(scan.first_bad) + "] must be finite and >= 0, got " +
                               str(first_value) + " (" + std::to_string(scan.bad_count) + " bad weight(s))");
    }
    if (scan.bad_count > 0) {
        throw invalid_argument("bandwidths[" + std::to_string(scan.first_bad) + "] must be finite and at least " +
                               str(check.lower) + " for the " + kernel_name(check.kernel) + " kernel in d = " +
                               std::to_string(check.d) + ", got " + str(first_value) + " (" +
                               std::to_string(scan.bad_count) + " bad bandwidth(s))");
    }
    require(!check.positive_sum || scan.sum > 0.0, "weights must have a positive sum, got " + str(scan.sum));
}

std::string str(double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.9g", value);
    return buffer;
}

void require(bool condition, const std::string& message) {
    if (!condition) throw invalid_argument(message);
}

void pointer(const void* p, const char* name) { require(p != nullptr, std::string(name) + " is NULL"); }

void positive(int64_t value, const char* name) {
    require(value > 0, std::string(name) + " must be positive, got " + std::to_string(value));
}

void not_negative(int64_t value, const char* name) {
    require(value >= 0, std::string(name) + " must be >= 0, got " + std::to_string(value));
}

void finite(float value, const char* name) {
    require(std::isfinite(value), std::string(name) + " must be finite, got " + str(value));
}

bool overlap(const float* a, int64_t a_count, const float* b, int64_t b_count) {
    if (a == nullptr || b == nullptr) return false;
    return a < b + b_count && b < a + a_count;
}

void output_apart(const Pairs& p, const float* out, int64_t count, const char* name) {
    require(!overlap(out, count, p.queries, p.m * p.d) && !overlap(out, count, p.data, p.n * p.d) &&
                !overlap(out, count, p.weights, p.n),
            std::string(name) + " must not overlap the queries, the data or the weights");
}

void outputs_apart(std::initializer_list<Output> outputs) {
    for (auto a = outputs.begin(); a != outputs.end(); ++a) {
        for (auto b = a + 1; b != outputs.end(); ++b) {
            require(!overlap(a->at, a->count, b->at, b->count),
                    std::string(a->name) + " and " + b->name + " must not overlap");
        }
    }
}

void output_apart(const Reduction& r, const float* out, int64_t count, const char* name) {
    output_apart(static_cast<const Pairs&>(r), out, count, name);
    require(!overlap(out, count, r.bandwidths, r.bandwidths ? r.m : 0),
            std::string(name) + " must not overlap the bandwidths");
}

float min_bandwidth(int kernel, int64_t d) {
    if (!is_kernel(kernel) || d < 1) return NAN;
    // Usability is monotone in b: search the float bit patterns of (0, FLT_MAX].
    uint32_t low = 1, high = 0x7f7fffffu;  // smallest subnormal, FLT_MAX
    auto as_float = [](uint32_t bits) {
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
    };
    if (!bandwidth_usable(kernel, d, as_float(high))) return INFINITY;
    while (low < high) {
        uint32_t mid = low + (high - low) / 2;
        if (bandwidth_usable(kernel, d, as_float(mid))) high = mid;
        else low = mid + 1;
    }
    return as_float(low);
}

Pairs pairs(Backend& backend, const float* queries, int64_t m, const float* data, int64_t n, int64_t d,
            const float* weights, WeightSum weight_sum, int leave_one_out) {
    positive(m, "m");
    positive(n, "n");
    positive(d, "d");
    pointer(queries, "queries");
    pointer(data, "data");
    Pairs p;
    p.queries = queries;
    p.m = m;
    p.data = data;
    p.n = n;
    p.d = d;
    p.weights = weights;
    p.leave_one_out = leave_one_out != 0;
    if (p.leave_one_out) {
        require(m == n, "leave_one_out needs queries and data to be the same set, but m = " + std::to_string(m) +
                            " and n = " + std::to_string(n));
        require(n >= 2, "leave_one_out needs n >= 2, got n = " + std::to_string(n));
    }
    if (weights) {
        ValueCheck check;
        check.values = weights;
        check.count = n;
        check.positive_sum = weight_sum == WeightSum::kPositive;
        p.weight_check = run_or_defer(backend, check);
    }
    return p;
}

Reduction reduction(Backend& backend, const Pairs& pairs, int kernel, const float* bandwidths, float bandwidth) {
    require(is_kernel(kernel), "kernel must be KGEN_KERNEL_GAUSSIAN (0), KGEN_KERNEL_LAPLACE (1) or "
                               "KGEN_KERNEL_CAUCHY (2), got " + std::to_string(kernel));
    const int64_t m = pairs.m, n = pairs.n, d = pairs.d;
    Reduction r;
    static_cast<Pairs&>(r) = pairs;
    r.kernel = kernel;
    if (bandwidths) {
        ValueCheck check;
        check.values = bandwidths;
        check.count = m;
        check.lower = min_bandwidth(kernel, d);
        check.kind = ValueCheck::Kind::kBandwidths;
        check.kernel = kernel;
        check.d = d;
        r.bandwidth_check = run_or_defer(backend, check);
    } else {
        require(std::isfinite(bandwidth) && bandwidth > 0.0f,
                "bandwidth must be positive and finite, got " + str(bandwidth));
        require(bandwidth_usable(kernel, d, bandwidth),
                "bandwidth " + str(bandwidth) + " is too small for the " + kernel_name(kernel) +
                    " kernel in d = " + std::to_string(d) + ": its logit scale overflows float (the least is " +
                    str(min_bandwidth(kernel, d)) + ")");
    }
    r.bandwidths = bandwidths;
    r.bandwidth = bandwidth;
    const int64_t others = r.leave_one_out ? n - 1 : n;
    r.uniform_log_weight = (float)(-std::log((double)others));
    return r;
}

void partial_state(int64_t m, int64_t d, const float* max_logit, const float* sum_exp, const float* weighted_sum,
                   const char* which) {
    positive(m, "m");
    positive(d, "d");
    const std::string prefix(which);
    require(max_logit != nullptr, prefix + "max_logit is NULL");
    require(sum_exp != nullptr, prefix + "sum_exp is NULL");
    require(weighted_sum != nullptr, prefix + "weighted_sum is NULL");
}

}  // namespace checks
}  // namespace kgen
