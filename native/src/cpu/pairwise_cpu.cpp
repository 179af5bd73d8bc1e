// CPU twins of the kernel-free pairwise reductions: nearest two rows and distance sums, in double.
#include <cmath>

#include "../common/nearest_two.h"
#include "cpu_ops.h"
#include "thread_pool.h"

namespace kgen {
namespace {

// Four partial sums, so the compiler can keep them in one vector register (high d is where the
// samplers' nearest-neighbour probes spend their time).
double squared_distance(const float* x, const float* y, int64_t d) {
    double part[4] = {0.0, 0.0, 0.0, 0.0};
    int64_t k = 0;
    for (; k + 4 <= d; k += 4) {
        for (int l = 0; l < 4; ++l) {
            double diff = (double)x[k + l] - (double)y[k + l];
            part[l] += diff * diff;
        }
    }
    double r2 = (part[0] + part[1]) + (part[2] + part[3]);
    for (; k < d; ++k) {
        double diff = (double)x[k] - (double)y[k];
        r2 += diff * diff;
    }
    return r2;
}

}  // namespace

void cpu_nearest_two(ThreadPool& pool, const Pairs& p, float* distances, int64_t* indices) {
    pool.parallel_for(p.m, 16, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            NearestTwo<double> best = NearestTwo<double>::empty();
            for (int64_t j = 0; j < p.n; ++j) {
                if (p.leave_one_out && j == i + p.self_offset) continue;
                best.insert(squared_distance(p.queries + i * p.d, p.data + j * p.d, p.d), j);
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
                if (w != 0.0) sum += w * std::sqrt(squared_distance(p.queries + i * p.d, p.data + j * p.d, p.d));
            }
            sums[i] = (float)sum;
        }
    });
}

}  // namespace kgen
