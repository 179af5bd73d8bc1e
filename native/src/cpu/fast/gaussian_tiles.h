// The fast path's Gaussian tiles, compiled once per instruction set: a tiles_<isa>.cpp defines
// KGEN_LANES and KGEN_TILES_NAMESPACE, then includes this file (see vector_math.h for why
// everything here stays inside that namespace).
//
// Accuracy. Logits and exponentials are float32; every query's sums are float32 over one block
// of data rows (at most kLowBlock or kHighRows terms per lane; with sgemm, kBlasRows terms in
// an order sgemm chooses) and float64 across blocks, so a long row loses nothing to the float32
// sums. Low d forms r^2 from direct differences: the
// logit's error is a few ulp of the logit itself. High d forms r^2 = |x|^2 + |y|^2 - 2 x.y; the
// part of its error that differs between data rows (|x|^2 is common to the row and cancels in
// the softmax) is at most c (2 gamma |x| |y| + 2^-23 |y|^2), gamma from the dot product's length
// and summation (high_d_tiles.h: the hand-written two-level sums, or sgemm's chunks).
// Where that bound exceeds kLogitErrorBound (tiny bandwidths, data far from the origin), the
// logits of every pair that can carry weight are recomputed in float64 from direct differences.
// Data far from the origin is first moved to its mean (fast_sums.cpp), which shrinks |y|.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fast_sums.h"

namespace kgen {
namespace KGEN_TILES_NAMESPACE {
namespace {

#include "vector_math.h"

inline int64_t smaller(int64_t a, int64_t b) { return a < b ? a : b; }
inline double larger(double a, double b) { return a > b ? a : b; }

// Weights below 1e-12 of the running max are dropped: their exponentials and P.Y work are
// skipped (log 1e-12 = -27.63).
constexpr float kNegligibleLogit = -27.631021f;

// Moves one query's float64 sums to a new reference max.
void rescale_row(const QueryBlock& b, int64_t q, int64_t d, double new_max) {
    const double old = b.max_logit[q];
    const double factor = old == -INFINITY ? 0.0 : exp(old - new_max);
    b.sum_exp[q] *= factor;
    for (int64_t k = 0; k < d; ++k) b.weighted[q * d + k] *= factor;
    b.max_logit[q] = new_max;
}

void start_rows(const QueryBlock& b, int64_t d) {
    for (int64_t q = 0; q < b.count; ++q) {
        b.max_logit[q] = -INFINITY;
        b.sum_exp[q] = 0.0;
        for (int64_t k = 0; k < d; ++k) b.weighted[q * d + k] = 0.0;
    }
}

// ---- low d: D padded dimensions, Q queries x kLanes data rows per step ----------------------

constexpr int64_t kLowBlock = 512;  // data rows per block: float32 sums of 512 / kLanes terms

// Which sums a low-d tile keeps besides sum e: sum e y (what the mean and a partial state
// need: exact for a single row) and sum e (y - x) (what the score, the Euler step and the
// gradient need: free of float32 cancellation when the mean is close to x). Each is kept only
// when asked for.
constexpr int kPlainSums = 1;
constexpr int kCenteredSums = 2;

template <int D, int kSums>
void low_d_tile(const StagedData& s, const QueryBlock& b, int64_t q0) {
    constexpr int Q = D >= 8 ? 1 : 8 / D;  // Q x D accumulators stay in registers
    constexpr bool kPlain = (kSums & kPlainSums) != 0;
    constexpr bool kCentered = (kSums & kCenteredSums) != 0;
    const int64_t d = s.d;
    float x[Q][D];
    float c[Q];
    int32_t self[Q];
    for (int q = 0; q < Q; ++q) {
        // A tile past the block's end repeats its last query; the repeat's sums are dropped.
        const int64_t i = smaller(q0 + q, b.count - 1);
        for (int k = 0; k < D; ++k) x[q][k] = k < d ? b.x[i * d + k] : 0.0f;
        c[q] = (float)b.scale[i];
        self[q] = (int32_t)b.self[i];
    }
    double max_logit[Q], sum_exp[Q], plain[Q][D], centered[Q][D];
    for (int q = 0; q < Q; ++q) {
        max_logit[q] = -INFINITY;
        sum_exp[q] = 0.0;
        for (int k = 0; k < D; ++k) plain[q][k] = centered[q][k] = 0.0;
    }
    alignas(64) float logits[Q][kLowBlock];
    const vint lanes = lane_index();
    const int64_t pn = s.padded_n;

    for (int64_t j0 = 0; j0 < pn; j0 += kLowBlock) {
        const int64_t rows = smaller(kLowBlock, pn - j0);
        // Pass 1: logits and their max.
        vfloat block_max[Q];
        for (int q = 0; q < Q; ++q) block_max[q] = splat(-INFINITY);
        for (int64_t t = 0; t < rows; t += kLanes) {
            const int64_t j = j0 + t;
            vfloat r2[Q];
            for (int q = 0; q < Q; ++q) r2[q] = splat(0.0f);
            for (int k = 0; k < D; ++k) {
                const vfloat y = load(s.columns + k * pn + j);
                for (int q = 0; q < Q; ++q) {
                    const vfloat diff = y - x[q][k];
                    r2[q] += diff * diff;
                }
            }
            const vfloat lw = load(s.log_weights + j);
            const vint index = lanes + (int32_t)j;
            for (int q = 0; q < Q; ++q) {
                vfloat logit = lw - r2[q] * c[q];
                logit = index == self[q] ? splat(-INFINITY) : logit;
                store(&logits[q][t], logit);
                block_max[q] = vmax(block_max[q], logit);
            }
        }
        float shift[Q];
        for (int q = 0; q < Q; ++q) {
            const double m = larger(max_logit[q], (double)max_lanes(block_max[q]));
            if (m > max_logit[q]) {
                const double factor = max_logit[q] == -INFINITY ? 0.0 : exp(max_logit[q] - m);
                sum_exp[q] *= factor;
                for (int k = 0; k < D; ++k) {
                    plain[q][k] *= factor;
                    centered[q][k] *= factor;
                }
                max_logit[q] = m;
            }
            // A query with no pair yet keeps its -inf logits at exp(-inf) = 0.
            shift[q] = max_logit[q] == -INFINITY ? 0.0f : (float)max_logit[q];
        }
        // Pass 2: exponentials and this block's sums in float32 lanes.
        vfloat block_sum[Q], block_plain[Q][D], block_centered[Q][D];
        for (int q = 0; q < Q; ++q) {
            block_sum[q] = splat(0.0f);
            for (int k = 0; k < D; ++k) block_plain[q][k] = block_centered[q][k] = splat(0.0f);
        }
        for (int64_t t = 0; t < rows; t += kLanes) {
            const int64_t j = j0 + t;
            vfloat e[Q];
            for (int q = 0; q < Q; ++q) {
                e[q] = exp_nonpositive(load(&logits[q][t]) - shift[q]);
                block_sum[q] += e[q];
            }
            if (kSums == 0) continue;
            for (int k = 0; k < D; ++k) {
                const vfloat y = load(s.columns + k * pn + j);
                for (int q = 0; q < Q; ++q) {
                    if (kPlain) block_plain[q][k] += e[q] * y;
                    if (kCentered) block_centered[q][k] += e[q] * (y - x[q][k]);
                }
            }
        }
        for (int q = 0; q < Q; ++q) {
            sum_exp[q] += sum_lanes(block_sum[q]);
            for (int k = 0; k < D; ++k) {
                if (kPlain) plain[q][k] += sum_lanes(block_plain[q][k]);
                if (kCentered) centered[q][k] += sum_lanes(block_centered[q][k]);
            }
        }
    }
    for (int q = 0; q < Q && q0 + q < b.count; ++q) {
        const int64_t i = q0 + q;
        b.max_logit[i] = max_logit[q];
        b.sum_exp[i] = sum_exp[q];
        for (int64_t k = 0; k < d; ++k) {
            if (kPlain) b.weighted[i * d + k] = plain[q][k];
            if (kCentered) b.centered[i * d + k] = centered[q][k];
        }
    }
}

template <int D, int kSums>
void low_d_block(const StagedData& s, const QueryBlock& b) {
    constexpr int Q = D >= 8 ? 1 : 8 / D;
    for (int64_t q0 = 0; q0 < b.count; q0 += Q) low_d_tile<D, kSums>(s, b, q0);
}

template <int kSums>
void low_d_sums(const StagedData& s, const QueryBlock& b) {
    switch (s.padded_d) {
        case 2: return low_d_block<2, kSums>(s, b);
        case 4: return low_d_block<4, kSums>(s, b);
        case 8: return low_d_block<8, kSums>(s, b);
        case 16: return low_d_block<16, kSums>(s, b);
        default: return low_d_block<32, kSums>(s, b);
    }
}

void low_d(const StagedData& s, const QueryBlock& b) {
    switch ((b.weighted ? kPlainSums : 0) | (b.centered ? kCenteredSums : 0)) {
        case 0: return low_d_sums<0>(s, b);
        case kPlainSums: return low_d_sums<kPlainSums>(s, b);
        case kCenteredSums: return low_d_sums<kCenteredSums>(s, b);
        default: return low_d_sums<kPlainSums | kCenteredSums>(s, b);
    }
}

#include "high_d_tiles.h"

}  // namespace

TileKernels kernels() { return TileKernels{low_d, high_d, high_d_scratch_bytes, kLanes}; }

}  // namespace KGEN_TILES_NAMESPACE
}  // namespace kgen
