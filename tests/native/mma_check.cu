// The tensor-core operations of native/src/cuda/mma.cuh against plain float64 arithmetic: one
// warp loads A, B and C through mma.cuh's fragment coordinates, multiplies with
// mma_m16n8k8_tf32 and stores D through the same coordinates; the host compares D with A B + C
// computed from the tf32-rounded inputs. A second product takes that D as its A operand through
// the chaining coordinates (a_from_d, k_order), as the tensor-core kernel sums do with P Y.
// Built with nvcc it checks the coordinates against the hardware; built in the emulation tier it
// checks them against the emulation's own transcription of the PTX ISA table. to_tf32 is checked
// bit for bit against a host rounding written another way, and cp.async (both sizes, zero fill,
// groups landing in turn) against the copies it should make. Exit 77 without a device.
// KGEN_TEST_SEED replays a run.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <random>
#include <vector>

#include "cuda/cuda_common.h"
#include "cuda/mma.cuh"

namespace {

using Layout = kgen::MmaM16N8K8;

// A (16 x 8) and C, D (16 x 8) row-major; B (8 x 8) as B[k][n] at k * 8 + n.
__global__ void mma_tile_kernel(const float* a, const float* b, const float* c, float* d) {
    const int lane = (int)threadIdx.x % 32;
    uint32_t af[4], bf[2];
    float cf[4], df[4];
    for (int i = 0; i < 4; ++i) af[i] = kgen::to_tf32(a[Layout::a_row(lane, i) * Layout::kK + Layout::a_col(lane, i)]);
    for (int i = 0; i < 2; ++i) bf[i] = kgen::to_tf32(b[Layout::b_row(lane, i) * Layout::kN + Layout::b_col(lane, i)]);
    for (int i = 0; i < 4; ++i) cf[i] = c[Layout::c_row(lane, i) * Layout::kN + Layout::c_col(lane, i)];
    kgen::mma_m16n8k8_tf32(df, af, bf, cf);
    for (int i = 0; i < 4; ++i) d[Layout::c_row(lane, i) * Layout::kN + Layout::c_col(lane, i)] = df[i];
}

// D1 = A B1 as above; then D2 = D1 B2 with D1 kept in registers as the A operand (B2 8 x 8).
__global__ void mma_chain_kernel(const float* a, const float* b1, const float* b2, float* d1, float* d2) {
    const int lane = (int)threadIdx.x % 32;
    uint32_t af[4], bf[2], chained[4];
    float zero[4] = {}, df[4], d2f[4];
    for (int i = 0; i < 4; ++i) af[i] = kgen::to_tf32(a[Layout::a_row(lane, i) * Layout::kK + Layout::a_col(lane, i)]);
    for (int i = 0; i < 2; ++i) bf[i] = kgen::to_tf32(b1[Layout::b_row(lane, i) * Layout::kN + Layout::b_col(lane, i)]);
    kgen::mma_m16n8k8_tf32(df, af, bf, zero);
    for (int i = 0; i < 4; ++i) chained[i] = kgen::to_tf32(df[Layout::a_from_d(i)]);
    for (int i = 0; i < 2; ++i) {
        bf[i] = kgen::to_tf32(b2[Layout::k_order(Layout::b_row(lane, i)) * Layout::kN + Layout::b_col(lane, i)]);
    }
    kgen::mma_m16n8k8_tf32(d2f, chained, bf, zero);
    for (int i = 0; i < 4; ++i) {
        d1[Layout::c_row(lane, i) * Layout::kN + Layout::c_col(lane, i)] = df[i];
        d2[Layout::c_row(lane, i) * Layout::kN + Layout::c_col(lane, i)] = d2f[i];
    }
}

// cp.async with kCopyThreads threads: group 0 copies src[4t, 4t + 4) into wide[t] with
// 4 (t % 5) source bytes (the rest zero-filled), group 1 src[kWideFloats + t] into narrow[t] with
// 0 or 4 source bytes. After waiting for group 0 alone, each thread reads its own wide[t]; after
// waiting for both and a barrier, other threads' entries.
constexpr int kCopyThreads = 64;
constexpr int kWideFloats = 4 * kCopyThreads;

__global__ void cp_async_kernel(const float* src, float* own, float* other) {
    __shared__ __align__(16) float wide[kCopyThreads][4];
    __shared__ float narrow[kCopyThreads];
    const int t = (int)threadIdx.x;
    kgen::cp_async<16>(wide[t], src + 4 * t, 4 * (t % 5));
    kgen::cp_async_commit();
    kgen::cp_async<4>(&narrow[t], src + kWideFloats + t, t % 3 == 0 ? 0 : 4);
    kgen::cp_async_commit();
    kgen::cp_async_wait<1>();
    for (int k = 0; k < 4; ++k) own[4 * t + k] = wide[t][k];
    kgen::cp_async_wait<0>();
    __syncthreads();
    other[2 * t] = narrow[(t + 1) % kCopyThreads];
    other[2 * t + 1] = wide[(t + 7) % kCopyThreads][t % 4];
}

__global__ void to_tf32_kernel(const float* in, uint32_t* out, int count) {
    for (int i = (int)threadIdx.x; i < count; i += (int)blockDim.x) out[i] = kgen::to_tf32(in[i]);
}

// Round to 11 significant bits, ties away from zero, by scaling (not by bit arithmetic).
float host_tf32(float x) {
    if (!std::isfinite(x) || x == 0.0f) return x;
    int exponent = 0;
    const double mantissa = std::frexp((double)x, &exponent);  // [0.5, 1)
    return (float)std::ldexp(std::round(std::ldexp(mantissa, 11)), exponent - 11);
}

uint64_t next(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
float uniform(uint64_t& state, float low, float high) {
    return low + (high - low) * (float)((next(state) >> 40) * 0x1p-24);
}

template <typename T>
T* device_copy(const std::vector<T>& host) {
    T* p = nullptr;
    kgen::cuda_check(cudaMalloc(&p, host.size() * sizeof(T)), "cudaMalloc");
    kgen::cuda_check(cudaMemcpy(p, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), "copy in");
    return p;
}

template <typename T>
std::vector<T> host_copy(const T* device, size_t count) {
    std::vector<T> host(count);
    kgen::cuda_check(cudaMemcpy(host.data(), device, count * sizeof(T), cudaMemcpyDeviceToHost), "copy out");
    return host;
}

int failures = 0;

void check_mma(uint64_t& state, int trial) {
    std::vector<float> a(16 * 8), b(8 * 8), c(16 * 8), d(16 * 8, NAN);
    for (float& v : a) v = uniform(state, -2.0f, 2.0f);
    for (float& v : b) v = uniform(state, -2.0f, 2.0f);
    for (float& v : c) v = trial % 2 ? uniform(state, -1.0f, 1.0f) : 0.0f;
    float *da = device_copy(a), *db = device_copy(b), *dc = device_copy(c), *dd = device_copy(d);
    KGEN_LAUNCH(1, 32, 0, nullptr, mma_tile_kernel)(da, db, dc, dd);
    kgen::cuda_check_launch("mma tile");
    kgen::cuda_check(cudaDeviceSynchronize(), "mma tile");
    const std::vector<float> got = host_copy(dd, d.size());
    for (float* p : {da, db, dc, dd}) cudaFree(p);
    for (int m = 0; m < 16; ++m) {
        for (int n = 0; n < 8; ++n) {
            double want = c[m * 8 + n], scale = std::fabs(c[m * 8 + n]);
            for (int k = 0; k < 8; ++k) {
                const double term = (double)host_tf32(a[m * 8 + k]) * (double)host_tf32(b[k * 8 + n]);
                want += term;
                scale += std::fabs(term);
            }
            const double error = std::fabs((double)got[m * 8 + n] - want);
            if (!(error <= 1e-6 * scale + 1e-30)) {  // float accumulation of exact products; NaN fails
                if (failures++ < 10) {
                    std::printf("FAIL mma trial %d: D[%d][%d] = %.9g, want %.9g (error %.3g of scale %.3g)\n", trial,
                                m, n, got[m * 8 + n], want, error, scale);
                }
            }
        }
    }
}

// The chaining coordinates name, for each A element, the D element of the same lane at the same row
// and at the D column that A's column stands for; the row halves name each element's row.
void check_chain_coordinates() {
    for (int lane = 0; lane < 32; ++lane) {
        for (int i = 0; i < 4; ++i) {
            const bool halves = Layout::a_row(lane, i) == lane / 4 + 8 * Layout::a_half(i) &&
                                Layout::c_row(lane, i) == lane / 4 + 8 * Layout::c_half(i);
            if (!halves && failures++ < 10) std::printf("FAIL row halves: lane %d element %d\n", lane, i);
            const int from = Layout::a_from_d(i);
            const bool same = Layout::c_row(lane, from) == Layout::a_row(lane, i) &&
                              Layout::c_col(lane, from) == Layout::k_order(Layout::a_col(lane, i));
            if (!same && failures++ < 10) std::printf("FAIL chaining coordinates: lane %d element %d\n", lane, i);
        }
    }
}

void check_mma_chain(uint64_t& state, int trial) {
    std::vector<float> a(16 * 8), b1(8 * 8), b2(8 * 8), d(16 * 8, NAN);
    for (float& v : a) v = uniform(state, -2.0f, 2.0f);
    for (float& v : b1) v = uniform(state, -2.0f, 2.0f);
    for (float& v : b2) v = uniform(state, -2.0f, 2.0f);
    float *da = device_copy(a), *db1 = device_copy(b1), *db2 = device_copy(b2);
    float *dd1 = device_copy(d), *dd2 = device_copy(d);
    KGEN_LAUNCH(1, 32, 0, nullptr, mma_chain_kernel)(da, db1, db2, dd1, dd2);
    kgen::cuda_check_launch("mma chain");
    kgen::cuda_check(cudaDeviceSynchronize(), "mma chain");
    const std::vector<float> d1 = host_copy(dd1, d.size()), d2 = host_copy(dd2, d.size());
    for (float* p : {da, db1, db2, dd1, dd2}) cudaFree(p);
    for (int m = 0; m < 16; ++m) {
        for (int n = 0; n < 8; ++n) {
            double want = 0.0, scale = 0.0;  // from the first product as the device made it
            for (int k = 0; k < 8; ++k) {
                const double term = (double)host_tf32(d1[m * 8 + k]) * (double)host_tf32(b2[k * 8 + n]);
                want += term;
                scale += std::fabs(term);
            }
            const double error = std::fabs((double)d2[m * 8 + n] - want);
            if (!(error <= 1e-6 * scale + 1e-30) && failures++ < 10) {
                std::printf("FAIL mma chain trial %d: D2[%d][%d] = %.9g, want %.9g\n", trial, m, n, d2[m * 8 + n],
                            want);
            }
        }
    }
}

void check_cp_async(uint64_t& state) {
    std::vector<float> src(kWideFloats + kCopyThreads);
    for (float& v : src) v = uniform(state, -1.0f, 1.0f);
    std::vector<float> own(kWideFloats, NAN), other(2 * kCopyThreads, NAN);
    float *dsrc = device_copy(src), *down = device_copy(own), *dother = device_copy(other);
    KGEN_LAUNCH(1, kCopyThreads, 0, nullptr, cp_async_kernel)(dsrc, down, dother);
    kgen::cuda_check_launch("cp.async");
    kgen::cuda_check(cudaDeviceSynchronize(), "cp.async");
    own = host_copy(down, own.size());
    other = host_copy(dother, other.size());
    for (float* p : {dsrc, down, dother}) cudaFree(p);
    auto wide = [&](int t, int k) { return k < t % 5 ? src[4 * t + k] : 0.0f; };
    auto narrow = [&](int t) { return t % 3 == 0 ? 0.0f : src[kWideFloats + t]; };
    for (int t = 0; t < kCopyThreads; ++t) {
        for (int k = 0; k < 4; ++k) {
            if (!(own[4 * t + k] == wide(t, k)) && failures++ < 10) {
                std::printf("FAIL cp.async: thread %d read %.9g at wide[%d][%d], want %.9g\n", t, own[4 * t + k], t, k,
                            wide(t, k));
            }
        }
        const float want_narrow = narrow((t + 1) % kCopyThreads), want_wide = wide((t + 7) % kCopyThreads, t % 4);
        if (!(other[2 * t] == want_narrow && other[2 * t + 1] == want_wide) && failures++ < 10) {
            std::printf("FAIL cp.async: thread %d read %.9g and %.9g from others, want %.9g and %.9g\n", t,
                        other[2 * t], other[2 * t + 1], want_narrow, want_wide);
        }
    }
}

void check_to_tf32(uint64_t& state) {
    std::vector<float> in = {0.0f, -0.0f, 1.0f, 1.0f + 0x1p-11f, 1.0f + 0x1p-12f, -(1.0f + 0x1p-11f),
                             1.0f + 3 * 0x1p-11f, 3.4e38f, -1e-38f, 1e-45f, INFINITY, -INFINITY};
    while (in.size() < 4096) in.push_back(std::ldexp(uniform(state, -1.0f, 1.0f), (int)(next(state) % 60) - 30));
    float* din = device_copy(in);
    uint32_t* dout = nullptr;
    kgen::cuda_check(cudaMalloc(&dout, in.size() * sizeof(uint32_t)), "cudaMalloc");
    KGEN_LAUNCH(1, 128, 0, nullptr, to_tf32_kernel)(din, dout, (int)in.size());
    kgen::cuda_check_launch("to_tf32");
    kgen::cuda_check(cudaDeviceSynchronize(), "to_tf32");
    const std::vector<uint32_t> got = host_copy(dout, in.size());
    cudaFree(din);
    cudaFree(dout);
    for (size_t i = 0; i < in.size(); ++i) {
        const float want = host_tf32(in[i]);
        uint32_t want_bits;
        std::memcpy(&want_bits, &want, sizeof want_bits);
        // Subnormals: the device may flush them; tf32 is used only on normal values.
        const bool subnormal = in[i] != 0.0f && std::fabs(in[i]) < 0x1p-126f;
        if (got[i] != want_bits && !subnormal && failures++ < 10) {
            std::printf("FAIL to_tf32(%.9g): bits %08x, want %08x\n", in[i], got[i], want_bits);
        }
    }
}

}  // namespace

int main() {
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
        std::printf("no CUDA device: nothing to check\n");
        return 77;
    }
    const char* text = std::getenv("KGEN_TEST_SEED");
    uint64_t seed = text ? std::strtoull(text, nullptr, 10)
                         : ((uint64_t)std::random_device{}() << 32) ^ (uint64_t)std::time(nullptr);
    std::printf("tensor-core operations, seed %llu (replay: KGEN_TEST_SEED=%llu)\n", (unsigned long long)seed,
                (unsigned long long)seed);
    uint64_t state = seed;
    try {
        for (int trial = 0; trial < 16; ++trial) check_mma(state, trial);
        check_chain_coordinates();
        for (int trial = 0; trial < 4; ++trial) check_mma_chain(state, trial);
        check_to_tf32(state);
        check_cp_async(state);
    } catch (const std::exception& e) {
        std::printf("FAIL: %s\n", e.what());
        return 1;
    }
    std::printf("%s: mma_m16n8k8_tf32 (16 tiles, 4 chained), to_tf32 (4096 values), cp.async, %d failure(s)\n",
                failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
