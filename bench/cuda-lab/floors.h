// The times a kernel-sum shape cannot beat on a given GPU, from its peak rates: what the lab
// prints next to each measured time. Each floor counts only the work no kernel can avoid for
// the log-sum-exp and the softmax-weighted mean (no gradient); a kernel near its largest floor
// has nothing left to gain on that shape.
#pragma once

#include <algorithm>
#include <cstdint>

namespace kgen_lab {

// Peak rates. The defaults are an H200 (SXM): 132 SMs at 1.98 GHz boost, 16 MUFU ex2 per clock
// per SM, 128 FP32 lanes per SM, about 494 dense TF32 tensor TFLOP/s, 4.8 TB/s HBM3e.
struct Peaks {
    double sms = 132;
    double clock_hz = 1.98e9;
    double ex2_per_clock_per_sm = 16;
    double fp32_per_clock_per_sm = 128;
    double tf32_flops = 494e12;
    double memory_bytes_per_s = 4.8e12;
};

struct Floors {
    double exp_s;     // one exp2 per pair on the SFU
    double fp32_s;    // 3d + 3 FP32 operations per pair on the CUDA cores
    double tf32_s;    // 4 m n d flops on the tensor cores (the distance and mean products)
    double memory_s;  // queries and data read once, lse and mean written once
    // What a CUDA-core kernel (no tensor cores) cannot beat, and what a tensor-core one cannot.
    double cuda_core_s() const { return std::max({exp_s, fp32_s, memory_s}); }
    double tensor_core_s() const { return std::max({exp_s, tf32_s, memory_s}); }
};

inline Floors floors_for(int64_t m, int64_t n, int64_t d, const Peaks& peaks = Peaks{}) {
    const double pairs = (double)m * (double)n;
    Floors f;
    f.exp_s = pairs / (peaks.sms * peaks.ex2_per_clock_per_sm * peaks.clock_hz);
    // (x - y) and its square for each coordinate, e y for the mean, then the logit, the max
    // and the sum: 3d + 3 per pair, an FMA counted as one operation.
    f.fp32_s = pairs * (3.0 * (double)d + 3.0) / (peaks.sms * peaks.fp32_per_clock_per_sm * peaks.clock_hz);
    f.tf32_s = 4.0 * pairs * (double)d / peaks.tf32_flops;
    f.memory_s = 4.0 * ((double)m * d + (double)n * d + (double)m + (double)m * d) / peaks.memory_bytes_per_s;
    return f;
}

}  // namespace kgen_lab
