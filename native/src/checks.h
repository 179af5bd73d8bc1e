// Argument checks of the C ABI. Each failure throws kgen::Error(KGEN_INVALID_ARGUMENT) with a
// message that names the argument and its value; nothing below api.cpp sees an unchecked one.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "backend.h"

namespace kgen {
namespace checks {

std::string str(double value);
void require(bool condition, const std::string& message);
void pointer(const void* p, const char* name);
void positive(int64_t value, const char* name);
void not_negative(int64_t value, const char* name);
void finite(float value, const char* name);

// Whether [a, a + a_count) and [b, b + b_count) share any float (either may be null).
bool overlap(const float* a, int64_t a_count, const float* b, int64_t b_count);
// An output of `count` floats must not overlap what the reduction reads (kernels read inputs
// after other blocks have written outputs).
void output_apart(const Pairs& pairs, const float* out, int64_t count, const char* name);
void output_apart(const Reduction& reduction, const float* out, int64_t count, const char* name);

// What weights must satisfy besides being finite and >= 0.
enum class WeightSum { kAny, kPositive };

// Outputs of one call must not share memory: (pointer, float count, name) triples, nulls skipped.
struct Output {
    const float* at;
    int64_t count;
    const char* name;
};
void outputs_apart(std::initializer_list<Output> outputs);

// Shapes, pointers, leave-one-out and weights (scanned on the context) of a pairwise reduction.
// Leave-one-out by index (m == n); a partial state over a slice sets it by offset instead.
Pairs pairs(Backend& backend, const float* queries, int64_t m, const float* data, int64_t n, int64_t d,
            const float* weights, WeightSum weight_sum, int leave_one_out);

// The kernel and its bandwidths (per-query ones scanned on the context) added to checked pairs;
// null weights become the density's uniform 1/n (1/(n-1) with leave-one-out).
Reduction reduction(Backend& backend, const Pairs& pairs, int kernel, const float* bandwidths, float bandwidth);

// Shapes and pointers of a partial state of m x d (gradient optional).
void partial_state(int64_t m, int64_t d, const float* max_logit, const float* sum_exp,
                   const float* weighted_sum, const char* which);

// Throws the ABI's message for a failed weights or bandwidths check: the first bad entry
// (scan.first_bad, whose value is first_value) and how many, or a sum that is not positive.
void raise_if_bad(const ValueCheck& check, const ScanResult& scan, float first_value);

// The smallest float bandwidth whose logit scale stays finite (NaN for a bad kernel or d).
float min_bandwidth(int kernel, int64_t d);

}  // namespace checks
}  // namespace kgen
