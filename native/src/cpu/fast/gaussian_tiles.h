// The fast path's Gaussian tiles, compiled once per instruction set: a tiles_<isa>.cpp defines
// KGEN_LANES and KGEN_TILES_NAMESPACE, then includes this file (see vector_math.h for why
// everything here stays inside that namespace).
//
// Accuracy. Logits and exponentials are float32; every query's sums are float32 over one block
// of data rows (at most kLowBlock or kHighRows terms per lane) and float64 across blocks, so a
// long row loses nothing to the float32 sums. Low d forms r^2 from direct differences: the
// logit's error is a few ulp of the logit itself. High d forms r^2 = |x|^2 + |y|^2 - 2 x.y; the
// part of its error that differs between data rows (|x|^2 is common to the row and cancels in
// the softmax) is at most c (2 gamma |x| |y| + 2^-23 |y|^2), gamma from the dot product's length.
// Where that bound exceeds kLogitErrorBound (tiny bandwidths, data far from the origin), the
// logits of every pair that can carry weight are recomputed in float64 from direct differences.
// Data far from the origin is first moved to its mean (fast_sums.cpp), which shrinks |y|.
#include <math.h>
#include <stdint.h>
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

// ---- high d: blocks of queries x kHighRows data rows --------------------------------------

constexpr int64_t kHighRows = 64;     // data rows per block
constexpr double kLogitErrorBound = 1e-3;

// Register tiles: accumulators plus the loaded operands must fit the register file (32 vector
// registers with AVX-512, 16 below), or the tile spills and runs at the speed of L1.
constexpr int kDotQueries = 4;                     // x.y tile: kDotQueries x kDotRows data rows
constexpr int kDotRows = kLanes == 16 ? 4 : 3;
constexpr int kSumVectors = kLanes == 16 ? 4 : 2;  // P.Y tile: 4 queries x kSumVectors vectors

// Dot products of kDotQueries query rows with kDotRows data rows. Two-level sums: each lane adds at most
// kDotChunk products before they go to a second sum, which bounds the float32 error by
// (kDotChunk + d / (kDotChunk kLanes) + log2 kLanes) ulp of sum_k |x_k y_k| rather than d / kLanes.
constexpr int64_t kDotChunk = 16;

void dot_tile(const float* const x[kDotQueries], const float* const y[kDotRows], int64_t d,
              float out[kDotQueries][kDotRows]) {
    vfloat total[kDotQueries][kDotRows];
    for (int a = 0; a < kDotQueries; ++a)
        for (int b = 0; b < kDotRows; ++b) total[a][b] = splat(0.0f);
    int64_t k = 0;
    while (k + kLanes <= d) {
        vfloat acc[kDotQueries][kDotRows];
        for (int a = 0; a < kDotQueries; ++a)
            for (int b = 0; b < kDotRows; ++b) acc[a][b] = splat(0.0f);
        const int64_t chunk_end = smaller(d, k + kDotChunk * kLanes);
        for (; k + kLanes <= chunk_end; k += kLanes) {
            vfloat yv[kDotRows];
            for (int b = 0; b < kDotRows; ++b) yv[b] = load(y[b] + k);
            for (int a = 0; a < kDotQueries; ++a) {
                const vfloat xa = load(x[a] + k);
                for (int b = 0; b < kDotRows; ++b) acc[a][b] += xa * yv[b];
            }
        }
        for (int a = 0; a < kDotQueries; ++a)
            for (int b = 0; b < kDotRows; ++b) total[a][b] += acc[a][b];
    }
    for (int a = 0; a < kDotQueries; ++a) {
        for (int b = 0; b < kDotRows; ++b) {
            float tail = 0.0f;
            for (int64_t t = k; t < d; ++t) tail += x[a][t] * y[b][t];
            out[a][b] = (float)sum_lanes(total[a][b]) + tail;
        }
    }
}

// |x - y|^2 from direct differences in double (each difference of two floats is exact).
double exact_squared_distance(const float* x, const float* y, int64_t d) {
    vdouble part[2] = {vdouble{}, vdouble{}};
    int64_t k = 0;
    for (; k + kLanes <= d; k += kLanes) {
        for (int h = 0; h < 2; ++h) {
            const vdouble diff = load_widened(x + k + h * kHalfLanes) - load_widened(y + k + h * kHalfLanes);
            part[h] += diff * diff;
        }
    }
    double r2 = 0.0;
    for (int l = 0; l < kHalfLanes; ++l) r2 += part[0][l] + part[1][l];
    for (; k < d; ++k) {
        const double diff = (double)x[k] - (double)y[k];
        r2 += diff * diff;
    }
    return r2;
}

// acc[q][k] += sum over the listed rows of e[q][row] y[row][k], for 4 queries: 4 queries x 4
// vectors of d in registers, float32 over the block, then added to the float64 sums.
void weighted_rows_4(const StagedData& s, int64_t j0, const int64_t* rows, int64_t row_count,
                     const float (*e)[kHighRows], const QueryBlock& b, int64_t q0, int64_t queries) {
    const int64_t d = s.d;
    int64_t k = 0;
    for (; k + kSumVectors * kLanes <= d; k += kSumVectors * kLanes) {
        vfloat acc[4][kSumVectors];
        for (int q = 0; q < 4; ++q)
            for (int v = 0; v < kSumVectors; ++v) acc[q][v] = splat(0.0f);
        for (int64_t r = 0; r < row_count; ++r) {
            const float* y = s.rows + (j0 + rows[r]) * d + k;
            vfloat yv[kSumVectors];
            for (int v = 0; v < kSumVectors; ++v) yv[v] = load(y + v * kLanes);
            for (int q = 0; q < 4; ++q) {
                const float w = e[q][rows[r]];
                for (int v = 0; v < kSumVectors; ++v) acc[q][v] += w * yv[v];
            }
        }
        for (int q = 0; q < queries; ++q) {
            double* out = b.weighted + (q0 + q) * d + k;
            for (int v = 0; v < kSumVectors; ++v)
                for (int l = 0; l < kLanes; ++l) out[v * kLanes + l] += (double)acc[q][v][l];
        }
    }
    for (; k < d; ++k) {
        float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (int64_t r = 0; r < row_count; ++r) {
            const float y = s.rows[(j0 + rows[r]) * d + k];
            for (int q = 0; q < 4; ++q) acc[q] += e[q][rows[r]] * y;
        }
        for (int q = 0; q < queries; ++q) b.weighted[(q0 + q) * d + k] += (double)acc[q];
    }
}

void high_d(const StagedData& s, const QueryBlock& b) {
    const int64_t d = s.d;
    start_rows(b, d);
    // Worst-case relative error of the float32 dot product (dot_tile), against
    // sum_k |x_k y_k| <= |x| |y|, with the tail and the final roundings.
    const double gamma = ((double)kDotChunk + (double)(d / (kDotChunk * kLanes)) + 8.0) * 0x1p-24;
    float x_norm[kHighDQueries];
    for (int64_t q = 0; q < b.count; ++q) {
        double n2 = 0.0;
        for (int64_t k = 0; k < d; ++k) n2 += (double)b.x[q * d + k] * (double)b.x[q * d + k];
        x_norm[q] = (float)n2;
    }
    alignas(64) float dots[kHighDQueries][kHighRows];
    alignas(64) double logits[kHighDQueries][kHighRows];
    alignas(64) float e[kHighDQueries][kHighRows];
    int64_t rows_used[kHighRows];

    for (int64_t j0 = 0; j0 < s.n; j0 += kHighRows) {
        const int64_t rows = smaller(kHighRows, s.n - j0);
        for (int64_t q0 = 0; q0 < b.count; q0 += kDotQueries) {
            // Rows past the block or the queries repeat the last one; their results are dropped.
            const float* x[kDotQueries];
            for (int a = 0; a < kDotQueries; ++a) x[a] = b.x + smaller(q0 + a, b.count - 1) * d;
            for (int64_t t0 = 0; t0 < rows; t0 += kDotRows) {
                const float* y[kDotRows];
                for (int c = 0; c < kDotRows; ++c) y[c] = s.rows + (j0 + smaller(t0 + c, rows - 1)) * d;
                float out[kDotQueries][kDotRows];
                dot_tile(x, y, d, out);
                for (int a = 0; a < kDotQueries && q0 + a < b.count; ++a)
                    for (int c = 0; c < kDotRows && t0 + c < rows; ++c) dots[q0 + a][t0 + c] = out[a][c];
            }
        }
        float y_norm_max = 0.0f;
        for (int64_t t = 0; t < rows; ++t) y_norm_max = s.squared_norms[j0 + t] > y_norm_max ? s.squared_norms[j0 + t] : y_norm_max;
        const double y_length_max = sqrt((double)y_norm_max);

        for (int64_t q = 0; q < b.count; ++q) {
            const double c = b.scale[q];
            double block_max = -INFINITY;
            for (int64_t t = 0; t < rows; ++t) {
                const int64_t j = j0 + t;
                double r2 = (double)x_norm[q] + (double)s.squared_norms[j] - 2.0 * (double)dots[q][t];
                r2 = r2 > 0.0 ? r2 : 0.0;
                const double logit = j == b.self[q] ? -INFINITY : s.log_weights_f64[j] - r2 * c;
                logits[q][t] = logit;
                block_max = larger(block_max, logit);
            }
            // The error of r^2 that differs between rows: 2 x.y and |y|^2 (float32). |x|^2 and its
            // rounding are the same for the whole row and cancel in the softmax.
            const double bound = c * (2.0 * gamma * sqrt((double)x_norm[q]) * y_length_max + 0x1p-23 * (double)y_norm_max);
            if (bound > kLogitErrorBound && block_max > -INFINITY) {
                // Every pair that may carry weight, recomputed from direct differences.
                const double floor = larger(block_max, b.max_logit[q]) + (double)kNegligibleLogit - 2.0 * bound;
                block_max = -INFINITY;
                for (int64_t t = 0; t < rows; ++t) {
                    if (logits[q][t] >= floor) {
                        const double r2 = exact_squared_distance(b.x + q * d, s.rows + (j0 + t) * d, d);
                        logits[q][t] = s.log_weights_f64[j0 + t] - r2 * c;
                    }
                    block_max = larger(block_max, logits[q][t]);
                }
            }
            if (block_max > b.max_logit[q]) rescale_row(b, q, d, block_max);
            const double m = b.max_logit[q];
            float* eq = e[q];
            for (int64_t t = 0; t < rows; ++t) {
                const float shifted = m == -INFINITY ? -INFINITY : (float)(logits[q][t] - m);
                eq[t] = shifted < kNegligibleLogit ? -INFINITY : shifted;
            }
            for (int64_t t = rows; t < kHighRows; ++t) eq[t] = -INFINITY;
            vfloat block_sum = splat(0.0f);
            for (int64_t t = 0; t < kHighRows; t += kLanes) {
                const vfloat v = exp_nonpositive(load(eq + t));
                store(eq + t, v);
                block_sum += v;
            }
            b.sum_exp[q] += sum_lanes(block_sum);
        }
        // P.Y for groups of 4 queries over the rows where any of them has weight.
        for (int64_t q0 = 0; q0 < b.count; q0 += 4) {
            const int64_t queries = smaller(4, b.count - q0);
            float group[4][kHighRows];
            for (int q = 0; q < 4; ++q)
                for (int64_t t = 0; t < kHighRows; ++t) group[q][t] = q < queries ? e[q0 + q][t] : 0.0f;
            int64_t used = 0;
            for (int64_t t = 0; t < rows; ++t) {
                if (group[0][t] > 0.0f || group[1][t] > 0.0f || group[2][t] > 0.0f || group[3][t] > 0.0f) rows_used[used++] = t;
            }
            if (used > 0) weighted_rows_4(s, j0, rows_used, used, group, b, q0, queries);
        }
    }
}

}  // namespace

TileKernels kernels() { return TileKernels{low_d, high_d, kLanes}; }

}  // namespace KGEN_TILES_NAMESPACE
}  // namespace kgen
