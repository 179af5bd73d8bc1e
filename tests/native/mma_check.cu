// The tensor-core operations of native/src/cuda/mma.cuh against plain float64 arithmetic: one
// warp loads A, B and C through mma.cuh's fragment coordinates, multiplies with
// mma_m16n8k8_tf32 and stores D through the same coordinates; the host compares D with A B + C
// computed from the tf32-rounded inputs. Built with nvcc it checks the coordinates against the
// hardware; built in the emulation tier it checks them against the emulation's own transcription
// of the PTX ISA table. to_tf32 is checked bit for bit against a host rounding written another
// way. Exit 77 without a device. KGEN_TEST_SEED replays a run.
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
        check_to_tf32(state);
    } catch (const std::exception& e) {
        std::printf("FAIL: %s\n", e.what());
        return 1;
    }
    std::printf("%s: mma_m16n8k8_tf32 (16 tiles) and to_tf32 (4096 values), %d failure(s)\n",
                failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
