// The fast path's driver: stage the data once per call, run the chosen instruction set's tiles
// over fixed blocks of queries on the pool, and write each block's outputs from its float64 sums
// with the epilogue the reference path uses (row_outputs.h).
#include "fast_sums.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "../../common/kernels.h"
#include "../row_outputs.h"
#include "kgen.h"

namespace kgen {
namespace {

TileKernels kernels_for(int isa) {
    switch (isa) {
        case KGEN_CPU_ISA_AVX512: return avx512_tile_kernels();
        case KGEN_CPU_ISA_AVX2: return avx2_tile_kernels();
        default: return portable_tile_kernels();
    }
}

int64_t padded_dimension(int64_t d) {
    int64_t padded = 2;
    while (padded < d) padded *= 2;
    return padded;
}

// The staged copies a StagedData points into.
struct Staging {
    std::vector<float> columns, log_weights, squared_norms, centered, center;
    std::vector<double> log_weights_f64;
};

constexpr int64_t kStagingRows = 256;

// |y_j|^2 of the rows s.rows points to, in parallel.
void squared_norms(ThreadPool& pool, const StagedData& s, Staging& buffers) {
    buffers.squared_norms.resize(s.n);
    pool.parallel_for(s.n, kStagingRows, [&](int64_t begin, int64_t end) {
        for (int64_t j = begin; j < end; ++j) {
            double n2 = 0.0;
            for (int64_t k = 0; k < s.d; ++k) n2 += (double)s.rows[j * s.d + k] * (double)s.rows[j * s.d + k];
            buffers.squared_norms[j] = (float)n2;
        }
    });
}

// High d: whether to move the data to its mean. Off the origin, |x|^2 + |y|^2 - 2 x.y cancels
// and float32 sums of e y lose the mean's offset from x (what the score is); both errors scale
// with |y|^2, which centering brings down to the spread. y - center is exact for coordinates
// within a factor 2 of the center, and costs a copy of the data, so it is made only where the
// mean carries more than half of the data's energy.
void center_if_off_origin(ThreadPool& pool, StagedData& s, Staging& buffers) {
    const int64_t n = s.n, d = s.d;
    // Column sums per fixed chunk of rows, added in chunk order: the same bits on any thread count.
    const int64_t chunks = (n + kStagingRows - 1) / kStagingRows;
    std::vector<double> column_sums(chunks * d, 0.0);
    pool.parallel_for(chunks, 1, [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) {
            for (int64_t j = c * kStagingRows; j < std::min(n, (c + 1) * kStagingRows); ++j) {
                for (int64_t k = 0; k < d; ++k) column_sums[c * d + k] += (double)s.rows[j * d + k];
            }
        }
    });
    double energy = 0.0, mean_energy = 0.0;
    for (int64_t j = 0; j < n; ++j) energy += (double)buffers.squared_norms[j];
    std::vector<float> center(d);
    for (int64_t k = 0; k < d; ++k) {
        double sum = 0.0;
        for (int64_t c = 0; c < chunks; ++c) sum += column_sums[c * d + k];
        center[k] = (float)(sum / (double)n);
        mean_energy += (double)center[k] * (double)center[k];
    }
    if (mean_energy <= 0.5 * energy / (double)n) return;
    buffers.center = std::move(center);
    buffers.centered.resize(n * d);
    pool.parallel_for(n, kStagingRows, [&](int64_t begin, int64_t end) {
        for (int64_t e = begin * d; e < end * d; ++e) buffers.centered[e] = s.rows[e] - buffers.center[e % d];
    });
    s.rows = buffers.centered.data();
    s.center = buffers.center.data();
    squared_norms(pool, s, buffers);
}

double log_weight_of(const Reduction& p, int64_t j) {
    if (p.weights == nullptr) return (double)p.uniform_log_weight;
    return p.weights[j] > 0.0f ? std::log((double)p.weights[j]) : -INFINITY;
}

StagedData stage(ThreadPool& pool, const Reduction& p, Staging& buffers) {
    StagedData s;
    s.rows = p.data;
    s.n = p.n;
    s.d = p.d;
    if (p.d <= kMaxLowD) {
        s.padded_d = padded_dimension(p.d);
        s.padded_n = (p.n + 15) / 16 * 16;  // a whole number of vectors on every ISA
        buffers.columns.assign(s.padded_d * s.padded_n, 0.0f);
        buffers.log_weights.assign(s.padded_n, -INFINITY);
        for (int64_t j = 0; j < p.n; ++j) {
            for (int64_t k = 0; k < p.d; ++k) buffers.columns[k * s.padded_n + j] = p.data[j * p.d + k];
            buffers.log_weights[j] = (float)log_weight_of(p, j);
        }
        s.columns = buffers.columns.data();
        s.log_weights = buffers.log_weights.data();
    } else {
        squared_norms(pool, s, buffers);
        center_if_off_origin(pool, s, buffers);
        buffers.log_weights_f64.resize(p.n);
        for (int64_t j = 0; j < p.n; ++j) buffers.log_weights_f64[j] = log_weight_of(p, j);
        s.squared_norms = buffers.squared_norms.data();
        s.log_weights_f64 = buffers.log_weights_f64.data();
    }
    return s;
}

// Which sums the outputs read.
struct SumsWanted {
    bool weighted;  // mean, a partial state's weighted sum
    bool centered;  // score, Euler step, gradient
};

// Runs the tiles over every query block; `finish(row sums, query)` writes its outputs.
template <typename Finish>
void run_blocks(ThreadPool& pool, int isa, const Reduction& p, SumsWanted wanted, bool gradient, Finish&& finish) {
    Staging buffers;
    const StagedData s = stage(pool, p, buffers);
    const TileKernels tiles = kernels_for(isa);
    const bool low = p.d <= kMaxLowD;
    // High d sums e y alone (gradient outputs go to the reference path there).
    if (!low) wanted = SumsWanted{true, false};
    const int64_t grain = low ? kLowDQueries : kHighDQueries;
    pool.parallel_for(p.m, grain, [&](int64_t begin, int64_t end) {
        const int64_t count = end - begin;
        std::vector<double> scale(count), max_logit(count), sum_exp(count);
        std::vector<double> weighted(wanted.weighted ? count * p.d : 0), centered(wanted.centered ? count * p.d : 0);
        std::vector<int64_t> self(count);
        for (int64_t q = 0; q < count; ++q) {
            const double h = p.bandwidths ? (double)p.bandwidths[begin + q] : (double)p.bandwidth;
            scale[q] = 1.0 / (2.0 * h * h);
            // The skipped row, or -1 where it lies outside the data (a slice's offset may put it there).
            const int64_t skip = begin + q + p.self_offset;
            self[q] = p.leave_one_out && skip >= 0 && skip < p.n ? skip : -1;
        }
        QueryBlock b;
        b.x = p.queries + begin * p.d;
        std::vector<float> centered_x;
        if (s.center) {
            centered_x.resize(count * p.d);
            for (int64_t e = 0; e < count * p.d; ++e) centered_x[e] = b.x[e] - s.center[e % p.d];
            b.x = centered_x.data();
        }
        b.count = count;
        b.scale = scale.data();
        b.self = self.data();
        b.max_logit = max_logit.data();
        b.sum_exp = sum_exp.data();
        b.weighted = wanted.weighted ? weighted.data() : nullptr;
        b.centered = wanted.centered ? centered.data() : nullptr;
        (low ? tiles.low_d : tiles.high_d)(s, b);
        std::vector<double> gradients(gradient ? p.d : 0);
        for (int64_t q = 0; q < count; ++q) {
            double* w = wanted.weighted ? weighted.data() + q * p.d : nullptr;
            if (w && s.center) {
                for (int64_t k = 0; k < p.d; ++k) w[k] += (double)s.center[k] * sum_exp[q];
            }
            const double* c = wanted.centered ? centered.data() + q * p.d : nullptr;
            // The Gaussian's grad_x log k = 2 c (y - x): its sum is 2 c sum e (y - x).
            for (int64_t k = 0; k < (int64_t)gradients.size(); ++k) gradients[k] = 2.0 * scale[q] * c[k];
            finish(RowSums{max_logit[q], sum_exp[q], w, gradient ? gradients.data() : nullptr, c}, begin + q);
        }
    });
}

}  // namespace

bool fast_sums_cover(const Reduction& p, bool gradient) {
    // The low-d tiles keep data indices in int32 lanes. At high d the gradient sum
    // 2 c (sum e y - x sum e) would cancel where the rows that carry the weight lie close to x
    // on a coordinate (the score, (mean - x) / h^2, is held to |mean| + |x| instead); the
    // low-d tiles sum e (y - x) directly.
    if (p.kernel != KGEN_KERNEL_GAUSSIAN) return false;
    return p.d <= kMaxLowD ? p.n < (int64_t(1) << 30) : !gradient;
}

void fast_reduce(ThreadPool& pool, int isa, const Reduction& p, const Epilogue& out) {
    const SumsWanted wanted{out.mean != nullptr, out.score || out.euler.x || out.gradient};
    run_blocks(pool, isa, p, wanted, out.gradient != nullptr,
               [&](const RowSums& row, int64_t i) { write_row<GaussianKernel>(row, p, i, out); });
}

void fast_reduce_partial(ThreadPool& pool, int isa, const Reduction& p, const Partial& out) {
    run_blocks(pool, isa, p, SumsWanted{true, out.gradient_sum != nullptr}, out.gradient_sum != nullptr,
               [&](const RowSums& row, int64_t i) { write_partial_row(row, i, p.d, out); });
}

}  // namespace kgen
