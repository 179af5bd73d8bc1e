// The CUDA kernel lab: each kernel-sum reduction kernel in numbered versions (v1: the kernel kgen
// shipped before, v2: its rewrite), run alone on the issue's shapes. Each version is first
// validated against the CPU backend (a sample of queries against all of the data: lse and mean
// from the kernel's split states, merged here in double), then timed with CUDA events, and each
// time is printed next to the floors of floors.h. Only the reduction kernel is timed; the combine
// pass after it is the same for every version.
//   kgen_cuda_lab [--tiny] [--repeats N] [--seed S] [--resources FILE] [--out FILE.md]
// --tiny: small shapes and validation only (the emulation tier runs it so in CTest).
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "cuda/kernel_sums.cuh"
#include "cuda/split_plan.h"
#include "floors.h"
#include "harness.h"
#include "kgen.h"
#include "low_d_v1.cuh"

namespace {

using kgen::Reduction;
using kgen::SplitStates;

struct Shape {
    int64_t m, n, d;
};

// One version of one kernel family: what it serves, its block shape and its launcher.
struct Version {
    const char* name;
    const char* what;
    bool (*serves)(int64_t d);
    int64_t (*queries_per_block)(int64_t d);
    int64_t (*tile_rows)(int64_t d);
    int64_t (*resident_blocks)(const Reduction& p);
    void (*launch)(const Reduction& p, const SplitStates& s, int64_t rows_per_split, cudaStream_t stream);
};

bool low_d(int64_t d) { return d <= kgen::kLowDMax; }
bool any_d(int64_t) { return true; }

const Version kVersions[] = {
    {"low-d v1", "thread per query, 128-row tiles, per-pair branches and rescales, exp2f", low_d,
     [](int64_t) { return (int64_t)kgen::lab_v1::kQueries; }, [](int64_t) { return (int64_t)kgen::lab_v1::kTileRows; },
     kgen::lab_v1::resident_blocks_v1, kgen::lab_v1::launch_v1},
    {"low-d v2", "Q queries per thread, vector tile loads, one max and rescale per tile, ex2.approx", low_d,
     [](int64_t d) { return (int64_t)kgen::kLowDThreads * kgen::low_d_queries_per_thread(kgen::low_d_padded(d)); },
     [](int64_t d) { return (int64_t)kgen::low_d_tile_rows(kgen::low_d_padded(d)); },
     [](const Reduction& p) { return kgen::low_d_resident_blocks(p, false); }, kgen::launch_low_d_reduction},
    {"any-d v1", "half warp per query, 32-wide coordinate chunks, CUDA cores", any_d,
     [](int64_t) { return (int64_t)kgen::kAnyDQueries; }, [](int64_t) { return (int64_t)kgen::kAnyDTileRows; },
     kgen::any_d_resident_blocks, kgen::launch_any_d_reduction},
};

void check(cudaError_t status, const char* what) {
    if (status == cudaSuccess) return;
    std::fprintf(stderr, "kgen_cuda_lab: %s: %s\n", what, cudaGetErrorString(status));
    std::exit(1);
}

void check(kgen_status status, const char* what) {
    if (status == KGEN_OK) return;
    std::fprintf(stderr, "kgen_cuda_lab: %s: %s\n", what, kgen_last_error());
    std::exit(1);
}

template <typename T>
T* device_copy(const std::vector<T>& host) {
    T* p = nullptr;
    check(cudaMalloc(&p, host.size() * sizeof(T)), "cudaMalloc");
    check(cudaMemcpy(p, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), "copy to device");
    return p;
}

// The CPU backend's lse and mean for the sampled queries (the reference the versions must meet).
struct Sums {
    std::vector<double> lse, mean;
};

Sums cpu_sums(const std::vector<float>& queries, int64_t count, const std::vector<float>& data, int64_t n, int64_t d,
              float bandwidth) {
    kgen_context* cpu = nullptr;
    check(kgen_context_create(KGEN_BACKEND_CPU, 0, &cpu), "CPU context");
    std::vector<float> lse(count), mean(count * d);
    check(kgen_kernel_sum(cpu, KGEN_KERNEL_GAUSSIAN, queries.data(), count, data.data(), n, d, nullptr, nullptr,
                          bandwidth, 0, lse.data(), mean.data(), nullptr),
          "CPU kernel sum");
    kgen_context_destroy(cpu);
    return Sums{std::vector<double>(lse.begin(), lse.end()), std::vector<double>(mean.begin(), mean.end())};
}

// The sampled queries' lse and mean from the split states on the device, merged in double.
Sums merged_sums(const SplitStates& s, const std::vector<int64_t>& sample, int64_t d) {
    Sums out;
    for (int64_t i : sample) {
        std::vector<float> max(s.count), sum(s.count), weighted(s.count * d);
        for (int k = 0; k < s.count; ++k) {
            const int64_t at = k * s.stride + i;
            check(cudaMemcpy(&max[k], s.max_logit + at, sizeof(float), cudaMemcpyDeviceToHost), "states");
            check(cudaMemcpy(&sum[k], s.sum_exp + at, sizeof(float), cudaMemcpyDeviceToHost), "states");
            check(cudaMemcpy(&weighted[k * d], s.weighted + at * d, d * sizeof(float), cudaMemcpyDeviceToHost), "states");
        }
        const double top = *std::max_element(max.begin(), max.end());
        double total = 0.0;
        std::vector<double> mean(d, 0.0);
        for (int k = 0; k < s.count; ++k) {
            const double f = max[k] == -INFINITY ? 0.0 : std::exp2((double)max[k] - top);
            total += sum[k] * f;
            for (int64_t c = 0; c < d; ++c) mean[c] += weighted[k * d + c] * f;
        }
        out.lse.push_back(top * std::log(2.0) + std::log(total));
        for (double v : mean) out.mean.push_back(v / total);
    }
    return out;
}

// The largest error in units of the tests' scales: max(1, |lse|) for the lse, 1 + |mean| for the
// mean (the data are standard normals).
double worst_error(const Sums& got, const Sums& want) {
    double worst = 0.0;
    for (size_t k = 0; k < want.lse.size(); ++k) {
        worst = std::max(worst, std::fabs(got.lse[k] - want.lse[k]) / std::max(1.0, std::fabs(want.lse[k])));
    }
    for (size_t k = 0; k < want.mean.size(); ++k) {
        worst = std::max(worst, std::fabs(got.mean[k] - want.mean[k]) / (1.0 + std::fabs(want.mean[k])));
    }
    return std::isnan(worst) ? INFINITY : worst;
}

// The median of `repeats` runs of the version's kernel, after one to warm up.
double median_seconds(const Version& v, const Reduction& p, const SplitStates& s, int64_t rows_per_split,
                      cudaStream_t stream, int repeats) {
#ifdef KGEN_EMULATION
    (void)v, (void)p, (void)s, (void)rows_per_split, (void)stream, (void)repeats;
    return NAN;  // the emulation runs kernels on the host: no time worth printing
#else
    cudaEvent_t start, stop;
    check(cudaEventCreate(&start), "event");
    check(cudaEventCreate(&stop), "event");
    std::vector<float> ms;
    for (int r = 0; r < repeats + 1; ++r) {
        check(cudaEventRecord(start, stream), "event");
        v.launch(p, s, rows_per_split, stream);
        check(cudaEventRecord(stop, stream), "event");
        check(cudaEventSynchronize(stop), v.name);
        float t = 0.0f;
        check(cudaEventElapsedTime(&t, start, stop), "event");
        if (r > 0) ms.push_back(t);
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2] * 1e-3;
#endif
}

struct Options {
    bool tiny = false;
    int repeats = 5;
    uint64_t seed = 0;
    std::string resources, out;
};

// The ptxas table of the build (cmake/kgen_cuda_resources.cmake), lines naming a lab kernel.
std::string resource_lines(const std::string& path) {
    std::ifstream in(path);
    if (!in) return "";
    std::string line, text;
    while (std::getline(in, line)) {
        if (line.rfind("#", 0) == 0 || line.find("reduction_kernel") != std::string::npos) text += line + "\n";
    }
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    o.seed = kgen_test::seed_from_environment();
    for (int a = 1; a < argc; ++a) {
        const std::string arg = argv[a];
        const bool more = a + 1 < argc;
        if (arg == "--tiny") o.tiny = true;
        else if (arg == "--repeats" && more) o.repeats = std::max(1, std::atoi(argv[++a]));
        else if (arg == "--seed" && more) o.seed = std::strtoull(argv[++a], nullptr, 10);
        else if (arg == "--resources" && more) o.resources = argv[++a];
        else if (arg == "--out" && more) o.out = argv[++a];
        else {
            std::fprintf(stderr, "usage: kgen_cuda_lab [--tiny] [--repeats N] [--seed S] [--resources FILE] [--out FILE]\n");
            return 2;
        }
    }
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
        std::printf("no CUDA device\n");
        return 77;
    }
    cudaDeviceProp props{};
    check(cudaGetDeviceProperties(&props, 0), "cudaGetDeviceProperties");
    kgen_lab::Peaks peaks;
    peaks.sms = props.multiProcessorCount;  // the rest are an H200's: floors.h
    const bool timed = !o.tiny;
    const std::vector<Shape> shapes =
        o.tiny ? std::vector<Shape>{{61, 257, 2}, {37, 300, 16}, {1, 97, 7}, {19, 130, 40}}
               : std::vector<Shape>{{10000, 10000, 2}, {50000, 50000, 16}, {10000, 10000, 784},
                                    {10000, 60000, 784}, {4096, 50000, 3072}};
    cudaStream_t stream = nullptr;
    check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "stream");

    std::string table = "kgen CUDA kernel lab on " + std::string(props.name) + ", " +
                        std::to_string(props.multiProcessorCount) + " SMs; seed " + std::to_string(o.seed) +
                        " (replay: --seed " + std::to_string(o.seed) + ")\n";
    table += "Floors (floors.h): peak rates of an H200 at this SM count; Gaussian kernel, lse and mean.\n\n";
    table += "| shape (m, n, d) | version | max error | time ms | pairs/s | exp floor ms | FP32 floor ms | "
             "TF32 floor ms | memory floor ms | time / CUDA-core floor |\n|---|---|---|---|---|---|---|---|---|---|\n";
    int failures = 0;
    kgen_test::Rng rng(o.seed);
    for (const Shape& shape : shapes) {
        const int64_t m = shape.m, n = shape.n, d = shape.d;
        std::vector<float> x(m * d), y(n * d);
        for (float& v : x) v = rng.normal();
        for (float& v : y) v = rng.normal();
        const float bandwidth = 0.5f * std::sqrt((float)d);
        // Sampled queries: the first ones, the last one and a few between (odd places included).
        std::vector<int64_t> sample;
        for (int64_t i = 0; i < std::min<int64_t>(m, 24); ++i) sample.push_back(i);
        for (int64_t i : {m / 3, m / 2 + 1, m - 1}) {
            if (i >= 24 && i < m) sample.push_back(i);
        }
        std::vector<float> sampled;
        for (int64_t i : sample) sampled.insert(sampled.end(), x.begin() + i * d, x.begin() + (i + 1) * d);
        const Sums want = cpu_sums(sampled, (int64_t)sample.size(), y, n, d, bandwidth);

        float* dx = device_copy(x);
        float* dy = device_copy(y);
        Reduction p;
        p.queries = dx;
        p.m = m;
        p.data = dy;
        p.n = n;
        p.d = d;
        p.kernel = KGEN_KERNEL_GAUSSIAN;
        p.bandwidth = bandwidth;
        p.uniform_log_weight = (float)-std::log((double)n);
        const kgen_lab::Floors floors = kgen_lab::floors_for(m, n, d, peaks);
        for (const Version& v : kVersions) {
            if (!v.serves(d)) continue;
            const int64_t query_blocks = (m + v.queries_per_block(d) - 1) / v.queries_per_block(d);
            // Splits: whole waves, and at most 1 GiB of states.
            const int64_t state_floats = (2 + d) * m;
            const int64_t most = std::max<int64_t>(1, ((int64_t)1 << 28) / state_floats);
            const kgen::SplitPlan plan = kgen::plan_splits(query_blocks, n, v.tile_rows(d),
                                                           peaks.sms * v.resident_blocks(p), most);
            float* states = nullptr;
            check(cudaMalloc(&states, plan.splits * state_floats * sizeof(float)), "states");
            const int64_t count = plan.splits * m;
            const SplitStates s{states, states + count, states + 2 * count, nullptr, plan.splits, m};
            check(cudaMemsetAsync(states, 0xff, plan.splits * state_floats * sizeof(float), stream), "poison");
            v.launch(p, s, plan.rows_per_split, stream);
            check(cudaStreamSynchronize(stream), v.name);
            const double error = worst_error(merged_sums(s, sample, d), want);
            const bool valid = error <= 2e-4;
            if (!valid) ++failures;
            char row[512];
            std::string timing = "| | |";
            double seconds = NAN;
            if (valid && timed) {
                seconds = median_seconds(v, p, s, plan.rows_per_split, stream, o.repeats);
                std::snprintf(row, sizeof row, "| %.3f | %.3g |", seconds * 1e3, (double)m * n / seconds);
                timing = row;
            }
            std::snprintf(row, sizeof row, "| (%lld, %lld, %lld) | %s (%d splits) | %.2g%s %s %.4g | %.4g | %.4g | %.4g | %s |\n",
                          (long long)m, (long long)n, (long long)d, v.name, plan.splits, error,
                          valid ? "" : " FAILED", timing.c_str(), floors.exp_s * 1e3, floors.fp32_s * 1e3,
                          floors.tf32_s * 1e3, floors.memory_s * 1e3,
                          std::isnan(seconds) ? "" : std::to_string(seconds / floors.cuda_core_s()).substr(0, 5).c_str());
            table += row;
            cudaFree(states);
        }
        cudaFree(dx);
        cudaFree(dy);
    }
    table += "\nVersions:\n";
    for (const Version& v : kVersions) table += std::string("- ") + v.name + ": " + v.what + "\n";
    const std::string resources = resource_lines(o.resources);
    if (!resources.empty()) table += "\nRegisters and shared memory (ptxas, " + o.resources + "):\n```\n" + resources + "```\n";
    std::fputs(table.c_str(), stdout);
    if (!o.out.empty()) std::ofstream(o.out) << table;
    cudaStreamDestroy(stream);
    std::printf("%s: %d version(s) failed validation\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
