// The native tests' harness, shared by the ABI contract test and the CUDA-vs-CPU driver: checks
// that count failures and keep going (so that one run reports all of them), the run's seed, a
// portable random generator, and context buffers that are poisoned before a call and guarded
// against overruns after it.
#pragma once

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kgen.h"

namespace kgen_test {

inline int& failure_count() {
    static int count = 0;
    return count;
}
inline int& check_count() {
    static int count = 0;
    return count;
}

__attribute__((format(printf, 1, 2))) inline std::string format(const char* pattern, ...) {
    char buffer[2048];
    va_list args;
    va_start(args, pattern);
    std::vsnprintf(buffer, sizeof buffer, pattern, args);
    va_end(args);
    return buffer;
}

// One check. Only failures print, with their place, so that a passing run stays short.
inline bool expect_at(bool ok, const char* file, int line, const std::string& what) {
    ++check_count();
    if (!ok) {
        ++failure_count();
        std::printf("FAIL %s:%d: %s\n", file, line, what.c_str());
    }
    return ok;
}

inline bool ok_at(kgen_status status, const char* call, const char* file, int line) {
    if (status == KGEN_OK) return expect_at(true, file, line, "");
    return expect_at(false, file, line, format("%s returned status %d: %s", call, (int)status, kgen_last_error()));
}

// A failed call must return `want` and say which argument is wrong: the message must contain
// `needle` (the argument's name, or the phrase that names the rule).
inline bool rejected_at(kgen_status got, kgen_status want, const char* needle, const char* file, int line,
                        const std::string& what) {
    const char* message = kgen_last_error();
    const bool ok = got == want && std::strstr(message, needle) != nullptr;
    return expect_at(ok, file, line,
                     format("%s: want status %d with \"%s\" in the message, got status %d: \"%s\"", what.c_str(),
                            (int)want, needle, (int)got, got == KGEN_OK ? "" : message));
}

#define EXPECT(condition, ...) \
    ::kgen_test::expect_at((condition), __FILE__, __LINE__, ::kgen_test::format(__VA_ARGS__))
#define CHECK_OK(call) ::kgen_test::ok_at((call), #call, __FILE__, __LINE__)
#define EXPECT_REJECTED(call, status, needle) \
    ::kgen_test::rejected_at((call), (status), (needle), __FILE__, __LINE__, #call)

inline const char* kernel_name(int kernel) {
    switch (kernel) {
        case KGEN_KERNEL_GAUSSIAN: return "Gaussian";
        case KGEN_KERNEL_LAPLACE: return "Laplace";
        case KGEN_KERNEL_CAUCHY: return "Cauchy";
        default: return "unknown kernel";
    }
}

// ---- seed and random inputs ------------------------------------------------------------------

// Fresh inputs each run, replayable: KGEN_TEST_SEED=<printed seed> runs the same inputs again.
inline uint64_t seed_from_environment() {
    const char* text = std::getenv("KGEN_TEST_SEED");
    if (text != nullptr && *text != '\0') return std::strtoull(text, nullptr, 0);
    std::random_device device;
    return ((uint64_t)device() << 32) ^ device();
}

// SplitMix64: the same stream from a seed on every platform, unlike std:: distributions.
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}

    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    double uniform() { return (double)(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    int64_t below(int64_t bound) { return (int64_t)(next() % (uint64_t)bound); }
    float normal() {
        const double u = 1.0 - uniform();  // (0, 1]
        return (float)(std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * uniform()));
    }
    std::vector<float> normals(int64_t count) {
        std::vector<float> out((size_t)count);
        for (float& v : out) v = normal();
        return out;
    }
    std::vector<float> uniforms(int64_t count, double low, double high) {
        std::vector<float> out((size_t)count);
        for (float& v : out) v = (float)uniform(low, high);
        return out;
    }

private:
    uint64_t state_;
};

// ---- context buffers -------------------------------------------------------------------------

// Context memory for `count` elements of T and a guard after them, both through the ABI so that
// the same buffer works on any backend. The elements start poisoned (a NaN for floats, a huge
// value for indices): an output the call should write but does not then fails its comparison.
// The guard holds a pattern no operation writes; the destructor checks it, so every buffer of
// every test is checked for overruns.
template <typename T>
class Buffer {
public:
    static constexpr size_t kGuard = 16;

    Buffer(kgen_context* context, size_t count) : context_(context), count_(count) {
        void* raw = nullptr;
        if (!CHECK_OK(kgen_alloc(context, (count + kGuard) * sizeof(T), &raw))) std::exit(1);
        pointer_ = static_cast<T*>(raw);
        std::vector<unsigned char> bytes((count + kGuard) * sizeof(T));
        for (size_t b = 0; b < count * sizeof(T); ++b) bytes[b] = kPoison[b % 4];
        std::memset(bytes.data() + count * sizeof(T), kGuardByte, kGuard * sizeof(T));
        CHECK_OK(kgen_copy_to_context(context, pointer_, bytes.data(), bytes.size()));
    }
    Buffer(kgen_context* context, const std::vector<T>& values) : Buffer(context, values.size()) {
        upload(values);
    }
    ~Buffer() {
        std::vector<unsigned char> guard(kGuard * sizeof(T));
        CHECK_OK(kgen_copy_to_host(context_, guard.data(), pointer_ + count_, guard.size()));
        bool intact = true;
        for (unsigned char byte : guard) intact = intact && byte == kGuardByte;
        EXPECT(intact, "the guard after a buffer of %zu elements was overwritten", count_);
        kgen_free(context_, pointer_);
    }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    T* get() const { return pointer_; }
    size_t size() const { return count_; }

    void upload(const std::vector<T>& values) {
        EXPECT(values.size() == count_, "upload of %zu elements into %zu", values.size(), count_);
        CHECK_OK(kgen_copy_to_context(context_, pointer_, values.data(), count_ * sizeof(T)));
    }
    std::vector<T> host() const {
        std::vector<T> out(count_);
        CHECK_OK(kgen_copy_to_host(context_, out.data(), pointer_, count_ * sizeof(T)));
        return out;
    }

private:
    static constexpr unsigned char kPoison[4] = {0xad, 0xde, 0xc0, 0x7f};  // float 0x7fc0dead: NaN
    static constexpr unsigned char kGuardByte = 0x5a;

    kgen_context* context_;
    size_t count_;
    T* pointer_ = nullptr;
};

using Floats = Buffer<float>;
using Indices = Buffer<int64_t>;

// ---- comparisons -----------------------------------------------------------------------------

// Every got[k] within tolerance * scale[k] of want[k]; NaN never is. On failure, the first and
// the worst element are named.
inline bool close_at(const char* file, int line, const std::string& what, const std::vector<float>& got,
                     const std::vector<double>& want, const std::vector<double>& scale, double tolerance) {
    if (got.size() != want.size() || want.size() != scale.size()) {
        return expect_at(false, file, line,
                         format("%s: sizes differ (got %zu, want %zu)", what.c_str(), got.size(), want.size()));
    }
    size_t bad = 0, first = 0, worst = 0;
    double worst_error = 0.0;
    for (size_t k = 0; k < got.size(); ++k) {
        double error = std::fabs((double)got[k] - want[k]) / scale[k];
        if (error <= tolerance) continue;
        if (std::isnan(error)) error = INFINITY;  // a poisoned or NaN output is as wrong as can be
        if (bad++ == 0) first = k;
        if (error > worst_error || bad == 1) worst_error = error, worst = k;
    }
    if (bad == 0) return expect_at(true, file, line, "");
    return expect_at(false, file, line,
                     format("%s: %zu of %zu elements off; first [%zu] got %.9g want %.9g; worst [%zu] got %.9g "
                            "want %.9g (error %.3g of scale %.3g, tolerance %.1g)",
                            what.c_str(), bad, got.size(), first, got[first], want[first], worst, got[worst],
                            want[worst], std::fabs((double)got[worst] - want[worst]), scale[worst], tolerance));
}
#define EXPECT_CLOSE(what, got, want, scale, tolerance) \
    ::kgen_test::close_at(__FILE__, __LINE__, (what), (got), (want), (scale), (tolerance))

inline std::vector<double> widened(const std::vector<float>& values) {
    return std::vector<double>(values.begin(), values.end());
}

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace kgen_test
