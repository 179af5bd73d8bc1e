// The emulation's own semantics: shared memory and barriers, warp shuffles, threads that return
// early, atomics, and every block of a grid run exactly once in any block order.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cuda_runtime.h"

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "FAIL %s\n", what);
        ++failures;
    }
}

// Block sums through shared memory: wrong without either barrier.
__global__ void block_sum(const int* values, int* sums) {
    __shared__ int lanes[128];
    lanes[threadIdx.x] = values[blockIdx.x * blockDim.x + threadIdx.x];
    __syncthreads();
    for (unsigned half = 64; half > 0; half /= 2) {
        if (threadIdx.x < half) lanes[threadIdx.x] += lanes[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) sums[blockIdx.x] = lanes[0];
}

// Warp sums through shuffles; lanes past `count` return first, as in the combine kernels.
__global__ void warp_sum(const float* values, float* sums, unsigned count) {
    const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = i < count ? values[i] : 0.0f;
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    if (i % 32 == 0) sums[i / 32] = v;
}

__global__ void early_exit(int* out, unsigned count) {
    const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count) return;
    __syncwarp();
    out[i] = (int)i;
}

__global__ void count_blocks(unsigned long long* visits, unsigned long long* smallest) {
    if (threadIdx.x == 0) {
        atomicAdd(&visits[blockIdx.y * gridDim.x + blockIdx.x], 1ull);
        atomicMin(smallest, (unsigned long long)(blockIdx.y * gridDim.x + blockIdx.x));
    }
}

}  // namespace

int main() {
    std::vector<int> values(3 * 128);
    for (size_t i = 0; i < values.size(); ++i) values[i] = (int)(i * 7 % 13);
    std::vector<int> sums(3);
    KGEN_LAUNCH(3, 128, 0, nullptr, block_sum)(values.data(), sums.data());
    for (int b = 0; b < 3; ++b) {
        int want = 0;
        for (int t = 0; t < 128; ++t) want += values[b * 128 + t];
        expect(sums[b] == want, "block sum through shared memory");
    }

    std::vector<float> floats(70);
    for (size_t i = 0; i < floats.size(); ++i) floats[i] = (float)i;
    std::vector<float> warp_sums(3, -1.0f);
    KGEN_LAUNCH(dim3(1), dim3(96), 0, nullptr, warp_sum)(floats.data(), warp_sums.data(), 70u);
    expect(warp_sums[0] == 496.0f && warp_sums[1] == 1520.0f && warp_sums[2] == 64.0f + 65 + 66 + 67 + 68 + 69,
           "warp sums through shuffles");

    std::vector<int> out(40, -1);
    KGEN_LAUNCH(2, 32, 0, nullptr, early_exit)(out.data(), 40u);
    bool all = true;
    for (int i = 0; i < 40; ++i) all = all && out[i] == i;
    expect(all, "threads that return early leave the warp barrier");

    std::vector<unsigned long long> visits(15, 0);
    unsigned long long smallest = ~0ull;
    KGEN_LAUNCH(dim3(5, 3), dim3(64), 0, nullptr, count_blocks)(visits.data(), &smallest);
    bool once = true;
    for (unsigned long long v : visits) once = once && v == 1;
    expect(once && smallest == 0, "every block runs exactly once");

    if (failures == 0) std::printf("emulator: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
