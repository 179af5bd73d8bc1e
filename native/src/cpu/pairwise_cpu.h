// The CPU kernel-free pairwise reductions (float64), used by the CPU backend.
#pragma once

#include "../backend.h"

namespace kgen {

void cpu_nearest_two(const Reduction& problem, float* distances, int64_t* indices);
void cpu_distance_sum(const Reduction& problem, float* sums);

}  // namespace kgen
