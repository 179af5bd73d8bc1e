// The CUDA-vs-CPU driver (kgen_selftest): every operation of kgen.h run on a CUDA context and on
// the CPU backend with the same inputs, the results compared (bit for bit where kgen.h promises
// identical bits). It exists so that compute-sanitizer can watch the kernels without a JVM:
//   compute-sanitizer --tool memcheck java/core/target/native-build/kgen_selftest
// Exit status 0 when everything agrees, 1 when something does not, 77 without a CUDA device.
#pragma once

#include <utility>
#include <vector>

#include "harness.h"
#include "reference.h"

namespace kgen_test {

struct Backends {
    kgen_context* cpu;
    kgen_context* cuda;

    // op(context) on both; {CPU result, CUDA result}.
    template <typename Op>
    auto both(Op op) const {
        auto on_cpu = op(cpu);
        auto on_cuda = op(cuda);
        return std::make_pair(std::move(on_cpu), std::move(on_cuda));
    }
};

// Float CUDA kernels against the double CPU twin: 2e-4 of the error scale (the float64
// reference's), the bound the previous self-test used.
constexpr double kCudaTolerance = 2e-4;

// The same, plus what float32 logits of size L cost: about 4 ulp (sqrt(d) + 3) L, the logit
// term the Java CUDA contract uses (large for the Cauchy kernel at high d, whose logits reach
// hundreds). Applied by widening each query's error scale.
double logit_widening(double max_logit, int64_t d);
// Error scales of query rows widened by their logit sizes (logit_widening).
std::vector<double> widened_rows(std::vector<double> scale, const reference::Sums& sums, int64_t d);

// Smaller cases only: argument "quick" for the block-order runs of the emulation tier, "tiny" for
// its sanitizer runs, where every case costs ten times more (tiny implies quick).
extern bool quick;
extern bool tiny;

// Kernel sums, log-densities, scores, partial states and the Euler step on every kernel.
void compare_kernel_sums(const Backends& backends, Rng& rng);
// The tensor-core path (d >= 32, no gradient sums) at ragged shapes, and its two precisions
// measured against float64 (printed).
void compare_tensor_sums(const Backends& backends, Rng& rng);
// Nearest two and distance sums.
void compare_pairwise(const Backends& backends, Rng& rng);
// Scan, fills, Philox fills, particle and row updates, sums of squares, copies, and the
// argument checks that read context memory (scanned weights and bandwidths).
void compare_elementwise(const Backends& backends, Rng& rng);

}  // namespace kgen_test
