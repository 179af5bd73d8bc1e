// CPU twins of the kernel-free pairwise reductions: nearest two rows and distance sums, in double.
#include <cmath>
#include <vector>

#include "../common/nearest_two.h"
#include "cpu_ops.h"
#include "thread_pool.h"

namespace kgen {
namespace {

// |x - y|^2 in T with Parts partial sums (a vector register's worth), added pairwise at the end:
// double with 4 for the exact pass, float with 8 for cpu_nearest_two's screen (high d is where
// the samplers' nearest-neighbour probes spend their time). The order of the additions is part of
// the result: NearestTwoScreenTest sums the same way.
template <typename T, int Parts>
T squared_distance(const float* x, const float* y, int64_t d) {
    T part[Parts] = {};
    int64_t k = 0;
    for (; k + Parts <= d; k += Parts) {
        for (int l = 0; l < Parts; ++l) {
            T diff = (T)x[k + l] - (T)y[k + l];
            part[l] += diff * diff;
        }
    }
    for (int width = Parts / 2; width >= 1; width /= 2) {
        for (int l = 0; l < width; ++l) part[l] = part[2 * l] + part[2 * l + 1];
    }
    T r2 = part[0];
    for (; k < d; ++k) {
        T diff = (T)x[k] - (T)y[k];
        r2 += diff * diff;
    }
    return r2;
}

inline double squared_distance_double(const float* x, const float* y, int64_t d) {
    return squared_distance<double, 4>(x, y, d);
}
inline float squared_distance_float(const float* x, const float* y, int64_t d) {
    return squared_distance<float, 8>(x, y, d);
}

}  // namespace

// Exact float64 answers at float32 cost: a float pass screens every row, then only the rows that
// can still be among the two nearest are measured in double, in index order, so ties and results
// are those of a full double pass. Why the screen keeps every such row: a float r2 of d
// non-negative squares is within (d + 8) 2^-23 of its value, relatively (each difference, square
// and addition rounds once, in sums of at most d / 8 + 4 terms); delta takes twice that. So if f2
// is the second smallest float r2, every row whose true r2 is at most the true second-nearest has
// a float r2 at most f2 (1 + delta) / (1 - delta). Where that bound does not hold, every row is
// measured: f2 below 2^-90 (subnormal squares round by up to 2^-149 each, underflowed ones drop),
// or infinite (an overflowed sum, or fewer than two rows).
void cpu_nearest_two(ThreadPool& pool, const Pairs& p, float* distances, int64_t* indices) {
    const double delta = (double)(p.d + 8) * 0x1p-22;
    const double widen = (1.0 + delta) / (1.0 - delta);
    pool.parallel_for(p.m, 16, [&](int64_t begin, int64_t end) {
        // The chunk's queries take each data row in turn, while it is in cache: one pass over the
        // data per chunk, not per query (at MNIST sizes the data is 31 MB).
        const int64_t queries = end - begin;
        std::vector<float> screened((size_t)(queries * p.n));
        for (int64_t j = 0; j < p.n; ++j) {
            const float* y = p.data + j * p.d;
            for (int64_t q = 0; q < queries; ++q) {
                const bool self = p.leave_one_out && j == begin + q + p.self_offset;
                screened[(size_t)(q * p.n + j)] = self ? NAN : squared_distance_float(p.queries + (begin + q) * p.d, y, p.d);
            }
        }
        for (int64_t q = 0; q < queries; ++q) {
            const int64_t i = begin + q;
            const float* x = p.queries + i * p.d;
            const float* row = screened.data() + q * p.n;
            float first = INFINITY, second = INFINITY;
            for (int64_t j = 0; j < p.n; ++j) {
                const float r2 = row[j];  // NaN (the skipped self pair) compares false
                if (r2 < first) {
                    second = first;
                    first = r2;
                } else if (r2 < second) {
                    second = r2;
                }
            }
            const double threshold = second < 0x1p-90f ? (double)INFINITY : (double)second * widen;
            NearestTwo<double> best = NearestTwo<double>::empty();
            for (int64_t j = 0; j < p.n; ++j) {
                if ((double)row[j] <= threshold) best.insert(squared_distance_double(x, p.data + j * p.d, p.d), j);
            }
            for (int k = 0; k < 2; ++k) {
                distances[2 * i + k] = (float)std::sqrt(best.r2[k]);
                if (indices) indices[2 * i + k] = best.index[k];
            }
        }
    });
}

void cpu_distance_sum(ThreadPool& pool, const Pairs& p, float* sums) {
    pool.parallel_for(p.m, 16, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            double sum = 0.0;
            for (int64_t j = 0; j < p.n; ++j) {
                if (p.leave_one_out && j == i + p.self_offset) continue;
                double w = p.weights ? (double)p.weights[j] : 1.0;
                if (w != 0.0) sum += w * std::sqrt(squared_distance_double(p.queries + i * p.d, p.data + j * p.d, p.d));
            }
            sums[i] = (float)sum;
        }
    });
}

}  // namespace kgen
