// The high-d half of the fast path's tiles (d > kMaxLowD), included by gaussian_tiles.h inside
// its per-ISA namespace. Each data block takes three GEMM-shaped steps: the dots x.y of the query
// block with the block's rows, the logits and exponentials, and P.Y over the rows that carry
// weight. The dots and P.Y run either on OpenBLAS's sgemm (StagedData::sgemm, one call per block
// on the calling thread) or on the hand-written register tiles below; the logits, the bound
// check and the exponentials are the same code for both.

constexpr int64_t kHighRows = 64;         // hand-written: data rows per block
constexpr int64_t kBlasDotChunk = 256;    // sgemm: coordinates per call, for the error bound
constexpr double kLogitErrorBound = 1e-3;

// ---- hand-written register tiles ----------------------------------------------------------

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

// dots[q * stride + t] = x_q . y_(j0 + t) for the block's rows, by dot_tile.
void dots_by_tiles(const StagedData& s, const QueryBlock& b, int64_t j0, int64_t rows, int64_t stride, float* dots) {
    const int64_t d = s.d;
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
                for (int c = 0; c < kDotRows && t0 + c < rows; ++c) dots[(q0 + a) * stride + t0 + c] = out[a][c];
        }
    }
}

// acc[q][k] += sum over the listed rows of e[q][row] y[row][k], for 4 queries: 4 queries x 4
// vectors of d in registers, float32 over the block, then added to the float64 sums.
void weighted_rows_4(const StagedData& s, int64_t j0, const int64_t* rows, int64_t row_count,
                     const float* const e[4], const QueryBlock& b, int64_t q0, int64_t queries) {
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

// The rows of the block where any of the 4 queries from q0 has weight (their count).
int64_t rows_with_weight(const QueryBlock& b, int64_t q0, int64_t rows, int64_t stride, const float* e, int64_t* used) {
    int64_t count = 0;
    const int64_t last = smaller(q0 + 4, b.count);
    for (int64_t t = 0; t < rows; ++t) {
        bool any = false;
        for (int64_t q = q0; q < last; ++q) any = any || e[q * stride + t] > 0.0f;
        if (any) used[count++] = t;
    }
    return count;
}

// P.Y for groups of 4 queries over the rows where any of them has weight.
void weighted_by_tiles(const StagedData& s, const QueryBlock& b, int64_t j0, int64_t rows, int64_t stride,
                       const float* e, int64_t* used) {
    for (int64_t q0 = 0; q0 < b.count; q0 += 4) {
        const int64_t queries = smaller(4, b.count - q0);
        // Queries past the block's end read the last one's weights; their sums are dropped.
        const float* group[4];
        for (int q = 0; q < 4; ++q) group[q] = e + smaller(q0 + q, b.count - 1) * stride;
        const int64_t count = rows_with_weight(b, q0, rows, stride, e, used);
        if (count > 0) weighted_rows_4(s, j0, used, count, group, b, q0, queries);
    }
}

// ---- logits and exponentials, shared ------------------------------------------------------

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

// From the dots of rows [j0, j0 + rows): the logits, checked against the error bound (gamma: the
// dots' relative error against sum_k |x_k y_k|), the running max, then e = exp(logit - max) in
// e[q * stride + t] (0 past `rows`: stride is a whole number of vectors) and sum_exp.
void block_exponentials(const StagedData& s, const QueryBlock& b, const float* x_norm, double gamma, int64_t j0,
                        int64_t rows, int64_t stride, const float* dots, double* logits, float* e) {
    const int64_t d = s.d;
    float y_norm_max = 0.0f;
    for (int64_t t = 0; t < rows; ++t) y_norm_max = s.squared_norms[j0 + t] > y_norm_max ? s.squared_norms[j0 + t] : y_norm_max;
    const double y_length_max = sqrt((double)y_norm_max);
    for (int64_t q = 0; q < b.count; ++q) {
        const double c = b.scale[q];
        const float* dq = dots + q * stride;
        double* lq = logits + q * stride;
        double block_max = -INFINITY;
        for (int64_t t = 0; t < rows; ++t) {
            double r2 = (double)x_norm[q] + (double)s.squared_norms[j0 + t] - 2.0 * (double)dq[t];
            r2 = r2 > 0.0 ? r2 : 0.0;
            lq[t] = s.log_weights_f64[j0 + t] - r2 * c;
            block_max = larger(block_max, lq[t]);
        }
        const int64_t self = b.self[q] - j0;
        if (self >= 0 && self < rows) {
            lq[self] = -INFINITY;
            block_max = -INFINITY;
            for (int64_t t = 0; t < rows; ++t) block_max = larger(block_max, lq[t]);
        }
        // The error of r^2 that differs between rows: 2 x.y and |y|^2 (float32). |x|^2 and its
        // rounding are the same for the whole row and cancel in the softmax.
        const double bound = c * (2.0 * gamma * sqrt((double)x_norm[q]) * y_length_max + 0x1p-23 * (double)y_norm_max);
        if (bound > kLogitErrorBound && block_max > -INFINITY) {
            // Every pair that may carry weight, recomputed from direct differences.
            const double floor = larger(block_max, b.max_logit[q]) + (double)kNegligibleLogit - 2.0 * bound;
            block_max = -INFINITY;
            for (int64_t t = 0; t < rows; ++t) {
                if (lq[t] >= floor) {
                    const double r2 = exact_squared_distance(b.x + q * d, s.rows + (j0 + t) * d, d);
                    lq[t] = s.log_weights_f64[j0 + t] - r2 * c;
                }
                block_max = larger(block_max, lq[t]);
            }
        }
        if (block_max > b.max_logit[q]) rescale_row(b, q, d, block_max);
        const double m = b.max_logit[q];
        float* eq = e + q * stride;
        for (int64_t t = 0; t < rows; ++t) {
            const float shifted = m == -INFINITY ? -INFINITY : (float)(lq[t] - m);
            eq[t] = shifted < kNegligibleLogit ? -INFINITY : shifted;
        }
        for (int64_t t = rows; t < stride; ++t) eq[t] = -INFINITY;
        vfloat block_sum = splat(0.0f);
        for (int64_t t = 0; t < stride; t += kLanes) {
            const vfloat v = exp_nonpositive(load(eq + t));
            store(eq + t, v);
            block_sum += v;
        }
        b.sum_exp[q] += sum_lanes(block_sum);
    }
}

// ---- sgemm ----------------------------------------------------------------------------------

// The dots by sgemm, d split into calls of at most kBlasDotChunk coordinates (added into the
// float32 result): whatever order sgemm sums in, a product then passes through at most
// (chunk width + chunk count) roundings, the gamma high_d uses.
int64_t dot_chunks(int64_t d) { return (d + kBlasDotChunk - 1) / kBlasDotChunk; }

void dots_by_sgemm(const StagedData& s, const QueryBlock& b, int64_t j0, int64_t rows, int64_t stride, float* dots) {
    const int64_t d = s.d;
    const int64_t width = (d + dot_chunks(d) - 1) / dot_chunks(d);
    for (int64_t k0 = 0; k0 < d; k0 += width) {
        s.sgemm(kCblasRowMajor, kCblasNoTrans, kCblasTrans, (int)b.count, (int)rows, (int)smaller(width, d - k0), 1.0f,
                b.x + k0, (int)d, s.rows + j0 * d + k0, (int)d, k0 == 0 ? 0.0f : 1.0f, dots, (int)stride);
    }
}

// The buffers of one query block, carved from QueryBlock::scratch (kept by the caller between
// calls: fresh blocks of this size come from mmap and page-fault on every call). With a null
// base, only the size is summed (high_d_scratch_bytes).
struct HighDBuffers {
    float* dots = nullptr;      // count x stride
    double* logits = nullptr;   // count x stride
    float* e = nullptr;         // count x stride
    float* x_norm = nullptr;    // count
    int64_t* used = nullptr;    // stride row indices, then count query indices
    float* packed_e = nullptr;  // sgemm only: the weights of the rows and queries that carry any
    float* packed_y = nullptr;  // sgemm only: stride x d, those rows
    float* sums = nullptr;      // sgemm only: count x d, P.Y of one block
    int64_t bytes = 0;

    HighDBuffers(unsigned char* base, int64_t count, int64_t d, bool blas) {
        const int64_t stride = blas ? kBlasRows : kHighRows;
        dots = carve<float>(base, count * stride);
        logits = carve<double>(base, count * stride);
        e = carve<float>(base, count * stride);
        x_norm = carve<float>(base, count);
        used = carve<int64_t>(base, stride + count);
        if (blas) {
            packed_e = carve<float>(base, count * stride);
            packed_y = carve<float>(base, stride * d);
            sums = carve<float>(base, count * d);
        }
    }

    template <typename T>
    T* carve(unsigned char* base, int64_t count) {
        T* p = base ? (T*)(base + bytes) : nullptr;
        bytes += (count * (int64_t)sizeof(T) + 63) / 64 * 64;  // each buffer 64-byte aligned
        return p;
    }
};

int64_t high_d_scratch_bytes(int64_t count, int64_t d, bool blas) {
    return HighDBuffers(nullptr, count, d, blas).bytes;
}

// P.Y by sgemm over the rows and the queries that carry weight (packed when some do not). Where
// the weight is too scattered for that to pay (the packed product would mostly multiply zeros),
// the hand-written groups of 4 queries take the block: they visit only each group's rows.
void weighted_by_sgemm(const StagedData& s, const QueryBlock& b, int64_t j0, int64_t rows, int64_t stride,
                       HighDBuffers& buf) {
    const int64_t d = s.d;
    int64_t* used_rows = buf.used;
    int64_t* used_queries = buf.used + stride;
    int64_t row_count = 0, query_count = 0;
    for (int64_t q = 0; q < b.count; ++q) {
        bool any = false;
        for (int64_t t = 0; t < rows && !any; ++t) any = buf.e[q * stride + t] > 0.0f;
        if (any) used_queries[query_count++] = q;
    }
    if (query_count == 0) return;
    for (int64_t t = 0; t < rows; ++t) {
        bool any = false;
        for (int64_t i = 0; i < query_count && !any; ++i) any = buf.e[used_queries[i] * stride + t] > 0.0f;
        if (any) used_rows[row_count++] = t;
    }
    if (query_count < b.count || row_count < rows) {
        // The groups' work: each group of 4 queries times the rows where any of them has weight.
        int64_t group_work = 0;
        for (int64_t q0 = 0; q0 < b.count; q0 += 4) {
            const int64_t last = smaller(q0 + 4, b.count);
            for (int64_t r = 0; r < row_count; ++r) {
                bool any = false;
                for (int64_t q = q0; q < last && !any; ++q) any = buf.e[q * stride + used_rows[r]] > 0.0f;
                group_work += any ? 4 : 0;
            }
        }
        if (query_count * row_count > 2 * group_work) {
            weighted_by_tiles(s, b, j0, rows, stride, buf.e, buf.used);  // reuses used_rows' space
            return;
        }
    }
    const float* p = buf.e;
    int64_t ldp = stride;
    const float* y = s.rows + j0 * d;
    if (row_count < rows || query_count < b.count) {
        for (int64_t i = 0; i < query_count; ++i)
            for (int64_t r = 0; r < row_count; ++r)
                buf.packed_e[i * row_count + r] = buf.e[used_queries[i] * stride + used_rows[r]];
        p = buf.packed_e;
        ldp = row_count;
    }
    if (row_count < rows) {
        for (int64_t r = 0; r < row_count; ++r) memcpy(buf.packed_y + r * d, y + used_rows[r] * d, (size_t)d * sizeof(float));
        y = buf.packed_y;
    }
    s.sgemm(kCblasRowMajor, kCblasNoTrans, kCblasNoTrans, (int)query_count, (int)d, (int)row_count, 1.0f, p, (int)ldp,
            y, (int)d, 0.0f, buf.sums, (int)d);
    for (int64_t i = 0; i < query_count; ++i) {
        double* out = b.weighted + used_queries[i] * d;
        const float* in = buf.sums + i * d;
        for (int64_t k = 0; k < d; ++k) out[k] += (double)in[k];
    }
}

// ---- one query block over every data block ---------------------------------------------------

void high_d(const StagedData& s, const QueryBlock& b) {
    const int64_t d = s.d;
    const bool blas = s.sgemm != nullptr;
    const int64_t stride = blas ? kBlasRows : kHighRows;
    HighDBuffers buf(b.scratch, b.count, d, blas);
    start_rows(b, d);
    // Worst-case relative error of the float32 dots against sum_k |x_k y_k| <= |x| |y|, with
    // the tail and the final roundings: dot_tile's two-level sums, or sgemm's chunks (any order).
    const double gamma = blas ? ((double)((d + dot_chunks(d) - 1) / dot_chunks(d) + dot_chunks(d)) + 2.0) * 0x1p-24
                              : ((double)kDotChunk + (double)(d / (kDotChunk * kLanes)) + 8.0) * 0x1p-24;
    for (int64_t q = 0; q < b.count; ++q) {
        double n2 = 0.0;
        for (int64_t k = 0; k < d; ++k) n2 += (double)b.x[q * d + k] * (double)b.x[q * d + k];
        buf.x_norm[q] = (float)n2;
    }
    for (int64_t j0 = b.rows_begin; j0 < b.rows_end; j0 += stride) {
        const int64_t rows = smaller(stride, b.rows_end - j0);
        if (blas) dots_by_sgemm(s, b, j0, rows, stride, buf.dots);
        else dots_by_tiles(s, b, j0, rows, stride, buf.dots);
        block_exponentials(s, b, buf.x_norm, gamma, j0, rows, stride, buf.dots, buf.logits, buf.e);
        if (blas) weighted_by_sgemm(s, b, j0, rows, stride, buf);
        else weighted_by_tiles(s, b, j0, rows, stride, buf.e, buf.used);
    }
}
