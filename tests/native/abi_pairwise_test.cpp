// kgen_nearest_two and kgen_distance_sum on the CPU backend against the float64 reference: odd
// sizes, leave-one-out, fewer than two rows, exact ties (to the smaller index), NULL indices,
// weights with zeros.
#include "abi_test.h"
#include "reference.h"

namespace kgen_test {
namespace {

struct NearestOutputs {
    std::vector<float> distances;
    std::vector<int64_t> indices;
};

NearestOutputs nearest_two(kgen_context* cpu, const std::vector<float>& queries, int64_t m,
                           const std::vector<float>& data, int64_t n, int64_t d, bool leave_one_out,
                           bool with_indices) {
    Floats x(cpu, queries), y(cpu, data), distances(cpu, 2 * m);
    Indices indices(cpu, 2 * m);
    CHECK_OK(kgen_nearest_two(cpu, leave_one_out ? y.get() : x.get(), m, y.get(), n, d, leave_one_out,
                              distances.get(), with_indices ? indices.get() : nullptr));
    NearestOutputs out{distances.host(), indices.host()};
    if (!with_indices) {
        // NULL indices are not written: the buffer keeps its poison.
        EXPECT(out.indices[0] != -1 && (out.indices[0] < 0 || out.indices[0] >= n),
               "kgen_nearest_two wrote indices, which were NULL");
    }
    return out;
}

// Finite distances within tolerance, missing ones (+inf) exactly, indices exactly.
void expect_nearest(const NearestOutputs& got, const reference::Nearest& want, bool with_indices,
                    const std::string& name) {
    std::vector<float> got_finite;
    std::vector<double> want_finite, scale;
    for (size_t k = 0; k < want.distance.size(); ++k) {
        if (want.index[k] < 0) {
            EXPECT(got.distances[k] == INFINITY, "%s: slot %zu has no row: want +inf, got %g", name.c_str(), k,
                   got.distances[k]);
        } else {
            got_finite.push_back(got.distances[k]);
            want_finite.push_back(want.distance[k]);
            scale.push_back(want.distance[k] + 1e-30);
        }
        if (with_indices) {
            EXPECT(got.indices[k] == want.index[k], "%s: slot %zu (query %zu): index %lld, want %lld", name.c_str(), k,
                   k / 2, (long long)got.indices[k], (long long)want.index[k]);
        }
    }
    EXPECT_CLOSE(name + " distances", got_finite, want_finite, scale, 1e-6);
}

void check_nearest_two_random(kgen_context* cpu, Rng& rng) {
    struct Shape {
        int64_t m, n, d;
        bool leave_one_out;
    };
    for (const Shape& s : {Shape{1, 1, 1, false}, Shape{2, 2, 3, true}, Shape{1, 2, 2, false},
                           Shape{31, 37, 17, false}, Shape{41, 41, 2, true}, Shape{97, 89, 33, false},
                           Shape{7, 3001, 3, false}, Shape{3, 3, 1, true}}) {
        const std::vector<float> data = rng.normals(s.n * s.d);
        const std::vector<float> queries = s.leave_one_out ? data : rng.normals(s.m * s.d);
        const reference::Nearest want = reference::nearest_two(queries, s.m, data, s.n, s.d, s.leave_one_out);
        for (bool with_indices : {true, false}) {
            const std::string name = format("nearest_two m=%lld n=%lld d=%lld loo=%d indices=%d", (long long)s.m,
                                            (long long)s.n, (long long)s.d, s.leave_one_out, with_indices);
            expect_nearest(nearest_two(cpu, queries, s.m, data, s.n, s.d, s.leave_one_out, with_indices), want,
                           with_indices, name);
        }
    }
}

// Exact ties go to the smaller index; a repeated row is a neighbour at 0 even under leave-one-out.
void check_nearest_two_ties(kgen_context* cpu) {
    // d = 1: every data row is at distance 1 from the query 0.
    const std::vector<float> data = {1.0f, -1.0f, -1.0f, 1.0f};
    NearestOutputs got = nearest_two(cpu, {0.0f}, 1, data, 4, 1, false, true);
    EXPECT(got.indices[0] == 0 && got.indices[1] == 1 && got.distances[0] == 1.0f && got.distances[1] == 1.0f,
           "nearest_two four-way tie: want rows 0, 1 at 1, got %lld, %lld at %g, %g", (long long)got.indices[0],
           (long long)got.indices[1], got.distances[0], got.distances[1]);
    // Three copies of one point, leave-one-out: each query's neighbours are the other two, at 0.
    got = nearest_two(cpu, {}, 3, {2.5f, -1.0f, 2.5f, -1.0f, 2.5f, -1.0f}, 3, 2, true, true);
    const int64_t want[3][2] = {{1, 2}, {0, 2}, {0, 1}};
    for (int i = 0; i < 3; ++i) {
        EXPECT(got.indices[2 * i] == want[i][0] && got.indices[2 * i + 1] == want[i][1] &&
                   got.distances[2 * i] == 0.0f && got.distances[2 * i + 1] == 0.0f,
               "nearest_two of copies, leave-one-out, query %d: got %lld, %lld at %g, %g", i,
               (long long)got.indices[2 * i], (long long)got.indices[2 * i + 1], got.distances[2 * i],
               got.distances[2 * i + 1]);
    }
}

void check_distance_sum(kgen_context* cpu, Rng& rng) {
    struct Shape {
        int64_t m, n, d;
        bool weighted, leave_one_out;
    };
    for (const Shape& s : {Shape{1, 1, 1, false, false}, Shape{13, 1, 3, true, false}, Shape{31, 37, 17, true, false},
                           Shape{41, 41, 2, false, true}, Shape{23, 23, 33, true, true},
                           Shape{5, 1031, 3, false, false},
                           Shape{2, 2, 1, true, true}}) {
        const std::vector<float> data = rng.normals(s.n * s.d);
        const std::vector<float> queries = s.leave_one_out ? data : rng.normals(s.m * s.d);
        std::vector<float> weights;
        if (s.weighted) {
            weights = rng.uniforms(s.n, 0.0, 2.0);
            weights[0] = 0.0f;  // a zero weight, and for n = 1 weights that sum to 0: both allowed here
        }
        const std::vector<double> want =
            reference::distance_sums(queries, s.m, data, s.n, s.d, weights, s.leave_one_out);
        std::vector<double> scale(want);
        for (double& v : scale) v += 1e-30;
        Floats x(cpu, queries), y(cpu, data), w(cpu, weights), sums(cpu, s.m);
        CHECK_OK(kgen_distance_sum(cpu, s.leave_one_out ? y.get() : x.get(), s.m, y.get(), s.n, s.d,
                                   s.weighted ? w.get() : nullptr, s.leave_one_out, sums.get()));
        EXPECT_CLOSE(format("distance_sum m=%lld n=%lld d=%lld weights=%d loo=%d", (long long)s.m, (long long)s.n,
                            (long long)s.d, s.weighted, s.leave_one_out),
                     sums.host(), want, scale, 1e-6);
    }
}

}  // namespace

void check_pairwise(kgen_context* cpu, Rng& rng) {
    check_nearest_two_random(cpu, rng);
    check_nearest_two_ties(cpu);
    check_distance_sum(cpu, rng);
}

}  // namespace kgen_test
