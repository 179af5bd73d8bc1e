// The groups of the ABI contract test (kgen_abi_test), one per file, each run on a CPU context
// with a random generator seeded from the run's seed. CTest runs each group as its own test.
#pragma once

#include "harness.h"

namespace kgen_test {

// The reference itself: normalisers against quadrature, Philox against Random123's answers.
void check_reference(kgen_context* cpu, Rng& rng);
// Version, build info, errors per thread, contexts, memory and copies.
void check_library_and_memory(kgen_context* cpu, Rng& rng);
// kgen_kernel_sum, kgen_log_density and kgen_score on every kernel against the reference.
void check_kernel_sums(kgen_context* cpu, Rng& rng);
// Partial states split, merged and finalized; the fused Euler step.
void check_partial_states_and_score_step(kgen_context* cpu, Rng& rng);
// kgen_scan, kgen_min_bandwidth, fills, particle and row updates, sums of squares.
void check_elementwise(kgen_context* cpu, Rng& rng);
// kgen_nearest_two and kgen_distance_sum.
void check_pairwise(kgen_context* cpu, Rng& rng);
// Bad arguments of the reductions: status, message, and a good call after.
void check_reduction_rejections(kgen_context* cpu, Rng& rng);
// Bad arguments of everything else.
void check_other_rejections(kgen_context* cpu, Rng& rng);
// CPU contexts: their arguments, every instruction set, thread counts, hard high-d cases.
void check_cpu_contexts(kgen_context* cpu, Rng& rng);

}  // namespace kgen_test
