// The tensor-core kernel-sum reduction for d >= 32 (kernel_sums_tensor.cu): its block shape for
// the split planner, when it serves a reduction, its precision and its launcher.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "cuda_common.h"
#include "kernel_sums.cuh"

namespace kgen {

constexpr int64_t kTensorMinD = 32;
constexpr int kTensorQueries = 64;   // queries per block: 4 warps of 16
constexpr int kTensorTileRows = 64;  // data rows per tile

// The tensor path serves the log-sum-exp and the weighted sums; a reduction that wants gradient
// sums takes the any-d kernel, whose direct (y - x) sums keep the gradient accurate where
// y is close to x.
inline bool tensor_reduction_serves(int64_t d, bool gradient) { return d >= kTensorMinD && !gradient; }

// KGEN_CUDA_PRECISION, read when a CUDA context is created: unset or "3xtf32" (the default,
// about float32's accuracy) or "tf32" (one tensor-core pass, about 5e-4 relative on the products:
// see MATH.md section 7). Anything else is an invalid argument naming the variable.
TensorPrecision tensor_precision_from_environment();

// Blocks of the tensor kernel resident on one SM at once (the occupancy API).
int64_t tensor_resident_blocks(const Reduction& problem);

void launch_tensor_reduction(const CudaDevice& device, const Reduction& problem, const SplitStates& states,
                             int64_t rows_per_split);

}  // namespace kgen
