// The CPU kernel-sum reductions (float64 accumulation), used by the CPU backend.
#pragma once

#include "../backend.h"

namespace kgen {

void cpu_reduce(const Reduction& problem, const Epilogue& out);
void cpu_reduce_partial(const Reduction& problem, const Partial& out);
void cpu_merge_partial(int64_t m, int64_t d, const Partial& a, const Partial& b);
void cpu_finalize_partial(int64_t m, int64_t d, const Partial& state, const Epilogue& out);

}  // namespace kgen
