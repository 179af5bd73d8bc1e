// KGEN_HD: a function both the CPU backend (plain inline) and CUDA kernels (host and device) call.
#pragma once

#ifdef __CUDACC__
#define KGEN_HD __host__ __device__ __forceinline__
#else
#define KGEN_HD inline
#endif
