// CPU twins of the row-wise helpers (rows_cuda.cu) and the value scan behind kgen_scan.
#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu_ops.h"
#include "thread_pool.h"

namespace kgen {

void cpu_row_update(ThreadPool& pool, float* y, const float* a, const float* x, const float* s, int64_t m, int64_t d) {
    pool.parallel_for(m, 256, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            for (int64_t k = i * d; k < (i + 1) * d; ++k) y[k] += s[i] * (a[k] - (x ? x[k] : 0.0f));
        }
    });
}

double cpu_sum_squares(ThreadPool& pool, const float* values, int64_t count) {
    // Fixed chunks summed in order: the same result whatever the thread count.
    const int64_t chunk = 1 << 16;
    std::vector<double> partial((count + chunk - 1) / chunk);
    pool.parallel_for((int64_t)partial.size(), 1, [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) {
            double s = 0.0;
            for (int64_t i = c * chunk; i < std::min(count, (c + 1) * chunk); ++i) s += (double)values[i] * values[i];
            partial[c] = s;
        }
    });
    double total = 0.0;
    for (double p : partial) total += p;
    return total;
}

ScanResult cpu_scan(const float* values, int64_t count, float lower) {
    ScanResult result;
    for (int64_t i = 0; i < count; ++i) {
        const float v = values[i];
        if (!std::isfinite(v) || v < lower) {
            if (result.first_bad < 0) result.first_bad = i;
            ++result.bad_count;
        }
        result.sum += (double)v;
    }
    return result;
}

}  // namespace kgen
