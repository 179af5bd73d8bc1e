// Random kernel-sum problems for the ABI tests and their upload to a context: the shapes and
// options a case asks for, with the awkward inputs built in (queries that coincide with data
// rows, a zero weight, a repeated data row under leave-one-out).
#pragma once

#include <cmath>
#include <string>

#include "harness.h"
#include "reference.h"

namespace kgen_test {

// The CPU backend sums in double and rounds once to float: 1e-5 of the error scale leaves room
// for float rounding and catches any wrong term.
constexpr double kCpuTolerance = 1e-5;

struct Case {
    int kernel;
    int64_t m, n, d;
    bool weighted, per_query, leave_one_out;
    // 4x kgen_min_bandwidth, every query on a data row: the coincident pair dominates. (Not with
    // weights or leave-one-out: a query whose nearest pair is r > 0 away has an lse below -FLT_MAX.)
    bool tiny_bandwidth = false;
};

inline std::string describe(const Case& c) {
    return format("%s m=%lld n=%lld d=%lld weights=%d per_query=%d loo=%d%s", kernel_name(c.kernel),
                  (long long)c.m, (long long)c.n, (long long)c.d, c.weighted, c.per_query, c.leave_one_out,
                  c.tiny_bandwidth ? " tiny bandwidth" : "");
}

// Bandwidths on the scale of the distances between N(0, I) points (about sqrt(2 d)), so that
// the softmax is neither uniform nor one-hot.
inline reference::Problem random_problem(const Case& c, Rng& rng) {
    reference::Problem p;
    p.kernel = c.kernel;
    p.m = c.m;
    p.n = c.n;
    p.d = c.d;
    p.leave_one_out = c.leave_one_out;
    p.data = rng.normals(c.n * c.d);
    if (c.leave_one_out) {
        // A repeated row: its twin is a coincident pair that leave-one-out must not skip.
        if (c.n >= 3) std::copy(&p.data[0], &p.data[c.d], &p.data[c.d]);
        p.queries = p.data;
    } else {
        p.queries = rng.normals(c.m * c.d);
        // Queries on data rows: coincident pairs (the Laplace gradient's r = 0 case).
        for (int64_t i = 0; i < c.m; ++i) {
            if (i % 3 == 0 || c.tiny_bandwidth) {
                const int64_t j = (i * 7) % c.n;
                std::copy(&p.data[j * c.d], &p.data[(j + 1) * c.d], &p.queries[i * c.d]);
            }
        }
    }
    if (c.weighted) {
        p.weights = rng.uniforms(c.n, 0.05, 1.0);
        if (c.n >= 3) p.weights[c.n - 1] = 0.0f;  // a zero weight: its pairs add nothing
    }
    const double typical = std::sqrt((double)c.d);
    if (c.tiny_bandwidth) {
        p.bandwidth = 4.0f * kgen_min_bandwidth(c.kernel, c.d);
        if (c.per_query) p.bandwidths.assign(c.m, p.bandwidth);
    } else {
        p.bandwidth = (float)(0.7 * typical);
        if (c.per_query) p.bandwidths = rng.uniforms(c.m, 0.3 * typical, 1.2 * typical);
    }
    return p;
}

// A problem's inputs in context memory. With leave-one-out the queries are the data's memory,
// as a caller passes them.
struct Uploaded {
    Floats queries, data, weights, bandwidths;
    bool leave_one_out, weighted, per_query;

    Uploaded(kgen_context* context, const reference::Problem& p)
        : queries(context, p.queries),
          data(context, p.data),
          weights(context, p.weights),
          bandwidths(context, p.bandwidths),
          leave_one_out(p.leave_one_out),
          weighted(!p.weights.empty()),
          per_query(!p.bandwidths.empty()) {}

    const float* query_pointer() const { return leave_one_out ? data.get() : queries.get(); }
    const float* weight_pointer() const { return weighted ? weights.get() : nullptr; }
    const float* bandwidth_pointer() const { return per_query ? bandwidths.get() : nullptr; }
};

// The scalar bandwidth argument: NaN when per-query bandwidths are given, which must make it
// unread (kgen.h: "bandwidths: m values, or NULL to use `bandwidth`").
inline float scalar_bandwidth(const reference::Problem& p) { return p.bandwidths.empty() ? p.bandwidth : NAN; }

}  // namespace kgen_test
