package io.kgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel-sum operation of one backend against the float64 oracle, on fresh seeded inputs
 * at odd sizes, with outputs poisoned (NaN) before each call.
 *
 * <p>Error bounds, per element of query i, with tol_i = base + perLogit L_i, where base is the
 * backend's relative accuracy ({@link #baseTolerance}) and L_i = |max_j log k_ij| the size of the
 * logits that carry the weight: a backend that forms logits in float32 has an absolute logit
 * error of about perLogit L_i ({@link #logitTolerance}), which moves the softmax weights by as much.
 * <ul>
 *   <li>lse, log-density: |out - ref| <= base max(1, |ref|) + perLogit L_i
 *   <li>mean: |out - ref| <= tol_i max_j |y_j| (the mean is a convex combination of the data)
 *   <li>score: |out - ref| <= tol_i (max_j |y_j| + |x_i|) / h^2
 *   <li>Laplace gradient: |out - ref| <= tol_i / tau (every term has norm at most 1/tau)
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KernelSumContract {
    /** Where operands and outputs live for a call. */
    enum Placement { HEAP, OFF_HEAP, DEVICE }

    protected Engine engine;

    abstract Engine openEngine();

    /** The backend's relative accuracy at dimension d, with logits of order 1. */
    abstract double baseTolerance(int d);

    /** The backend's absolute logit error per unit of logit size at dimension d (0: exact logits). */
    abstract double logitTolerance(int d);

    /** Per-query tolerances tol_i for one problem. */
    final class Tolerance {
        final double base;
        final double perLogit;
        final double[] scale;

        Tolerance(Float64Oracle ref, int d, double factor) {
            base = factor * baseTolerance(d);
            perLogit = factor * logitTolerance(d);
            scale = ref.logitScale;
        }

        double of(int i) {
            return base + perLogit * scale[i];
        }

        double lse(int i, double ref) {
            return base * Math.max(1, Math.abs(ref)) + perLogit * scale[i];
        }
    }

    abstract List<Placement> placements();

    @BeforeAll
    void open() {
        engine = openEngine();
        System.out.println("[engine] " + engine.describe());
    }

    @AfterAll
    void close() {
        if (engine != null) engine.close();
    }

    // (m, n, d): 1, primes, sizes that are no multiple of a tile, d from 1 to 784.
    static Stream<Arguments> shapes() {
        int[][] shapes = {
            {1, 1, 1}, {1, 7, 2}, {13, 1, 3}, {2, 2, 2}, {97, 131, 2}, {131, 97, 3}, {37, 61, 17},
            {5, 257, 1}, {3, 2003, 2}, {61, 61, 3}, {7, 11, 784}, {29, 53, 784}, {23, 23, 33}, {3, 389, 784}
        };
        List<Arguments> out = new ArrayList<>();
        for (int[] s : shapes) out.add(Arguments.of(s[0], s[1], s[2]));
        return out.stream();
    }

    /** One random problem: data, queries (the data itself for leave-one-out), weights, bandwidths. */
    static final class Problem {
        final float[][] x;
        final float[][] y;
        final float[] weights;
        final float[] bandwidths;
        final boolean perQuery;
        final boolean leaveOneOut;

        Problem(long seed, int m, int n, int d, Kernel kernel, boolean weighted, boolean perQuery, boolean loo) {
            SplittableRandom rng = new SplittableRandom(seed);
            y = TestData.gaussian(rng, n, d, 1.0);
            x = loo ? y : TestData.gaussian(rng, m, d, 1.2);
            double typical = Math.sqrt(2.0 * d); // typical distance between two points
            double lo = kernel == Kernel.GAUSSIAN ? 0.2 : 0.1;
            bandwidths = TestData.uniform(rng, x.length, lo * typical, 0.8 * typical);
            if (!perQuery) java.util.Arrays.fill(bandwidths, bandwidths[0]);
            this.perQuery = perQuery;
            weights = weighted ? TestData.uniform(rng, n, 0.0, 1.0) : null;
            if (weighted) weights[rng.nextInt(n)] = 0f; // a zero weight must simply drop its row
            if (weighted && n == 1) weights[0] = 0.5f;
            leaveOneOut = loo;
        }

        KernelSum spec(Kernel kernel) {
            Bandwidth b = perQuery ? Bandwidth.perQuery(bandwidths.clone()) : Bandwidth.of(bandwidths[0]);
            return KernelSum.of(kernel, b).withWeights(weights == null ? null : weights.clone())
                    .withLeaveOneOut(leaveOneOut);
        }

        Float64Oracle oracle(Kernel kernel) {
            return new Float64Oracle(kernel, x, y, weights, bandwidths, leaveOneOut);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        shapes().forEach(a -> {
            int m = (int) a.get()[0], n = (int) a.get()[1], d = (int) a.get()[2];
            for (Kernel kernel : Kernel.values()) {
                out.add(Arguments.of(m, n, d, kernel, false, false, false));
                out.add(Arguments.of(m, n, d, kernel, true, true, false));
                if (m == n && n >= 2) out.add(Arguments.of(m, n, d, kernel, false, kernel == Kernel.LAPLACE, true));
            }
        });
        return out.stream();
    }

    @ParameterizedTest(name = "m={0} n={1} d={2} {3} weighted={4} perQuery={5} loo={6}")
    @MethodSource("cases")
    void kernelSumsMatchFloat64(int m, int n, int d, Kernel kernel, boolean weighted, boolean perQuery, boolean loo) {
        long seed = TestData.freshSeed("kernel sums " + m + "x" + n + "x" + d);
        Problem p = new Problem(seed, m, n, d, kernel, weighted, perQuery, loo);
        Float64Oracle ref = p.oracle(kernel);
        Tolerance tol = new Tolerance(ref, d, 1);
        double yScale = Math.max(TestData.maxAbs(p.y), 1e-30);
        for (Placement where : placements()) {
            try (Operands o = new Operands(where, p.x, p.y)) {
                Matrix lse = o.output(m, 1);
                Matrix mean = o.output(m, d);
                Matrix grad = kernel == Kernel.LAPLACE ? o.output(m, d) : null;
                engine.kernelSums(p.spec(kernel), o.queries, o.data, lse, mean, grad);
                String tag = where + " " + kernel;
                assertVector(tag + " lse", ref.lse, o.values(lse), i -> tol.lse(i, ref.lse[i]));
                assertRows(tag + " mean", ref.mean, o.values(mean), (i, k) -> tol.of(i) * yScale);
                if (grad != null) {
                    assertRows(tag + " laplace gradient", ref.laplaceGradient, o.values(grad),
                            (i, k) -> tol.of(i) / p.bandwidths[i]);
                }
            }
        }
    }

    @ParameterizedTest(name = "m={0} n={1} d={2}")
    @MethodSource("shapes")
    void gaussianLogDensityAndScoreMatchFloat64(int m, int n, int d) {
        long seed = TestData.freshSeed("log-density and score " + m + "x" + n + "x" + d);
        Problem p = new Problem(seed, m, n, d, Kernel.GAUSSIAN, m % 2 == 1, true, false);
        Float64Oracle ref = p.oracle(Kernel.GAUSSIAN);
        Tolerance tol = new Tolerance(ref, d, 1);
        double yScale = TestData.maxAbs(p.y);
        for (Placement where : placements()) {
            try (Operands o = new Operands(where, p.x, p.y)) {
                Matrix logDensity = o.output(m, 1);
                Matrix score = o.output(m, d);
                KernelSum spec = p.spec(Kernel.GAUSSIAN);
                engine.gaussianLogDensity(spec, o.queries, o.data, logDensity);
                engine.gaussianScore(spec, o.queries, o.data, score);
                assertVector(where + " log-density", ref.logDensity, o.values(logDensity),
                        i -> tol.lse(i, ref.logDensity[i]));
                assertRows(where + " score", ref.score, o.values(score), (i, k) -> tol.of(i)
                        * (yScale + Math.abs(p.x[i][k])) / ((double) p.bandwidths[i] * p.bandwidths[i]));
            }
        }
    }

    /** Logits of 1e4 and more: the running max must keep every weight alive, with no NaN. */
    @ParameterizedTest(name = "{0} d={1}")
    @MethodSource("tinyBandwidthCases")
    void tinyBandwidthsStayFiniteAndAccurate(Kernel kernel, int d) {
        long seed = TestData.freshSeed("tiny bandwidth " + kernel + " d=" + d);
        SplittableRandom rng = new SplittableRandom(seed);
        int m = 41, n = 173;
        float[][] y = TestData.gaussian(rng, n, d, 1.0);
        float[][] x = TestData.gaussian(rng, m, d, 1.0);
        // The bandwidth that puts the nearest data point of the nearest query at logit -2e4.
        double nearest = Double.MAX_VALUE;
        for (float[] xi : x) {
            for (float[] yj : y) {
                double r2 = 0;
                for (int k = 0; k < d; k++) r2 += ((double) xi[k] - yj[k]) * ((double) xi[k] - yj[k]);
                nearest = Math.min(nearest, Math.sqrt(r2));
            }
        }
        float h = (float) (kernel == Kernel.GAUSSIAN ? nearest / Math.sqrt(2 * 2e4) : nearest / 2e4);
        float[] bandwidths = TestData.filled(m, h);
        Float64Oracle ref = new Float64Oracle(kernel, x, y, null, bandwidths, false);
        for (double s : ref.logitScale) assertTrue(s >= 1e4 * 0.99, "the test needs logits of 1e4 and more, got " + s);
        Tolerance tol = new Tolerance(ref, d, 1);
        double yScale = TestData.maxAbs(y);
        try (Operands o = new Operands(placements().get(0), x, y)) {
            Matrix lse = o.output(m, 1);
            Matrix mean = o.output(m, d);
            engine.kernelSums(KernelSum.of(kernel, Bandwidth.of(h)), o.queries, o.data, lse, mean, null);
            float[] lseOut = o.values(lse);
            for (float v : lseOut) assertTrue(Float.isFinite(v), "lse must be finite, got " + v);
            assertVector("lse", ref.lse, lseOut, i -> tol.lse(i, ref.lse[i]));
            assertRows("mean", ref.mean, o.values(mean), (i, k) -> tol.of(i) * yScale);
        }
    }

    static Stream<Arguments> tinyBandwidthCases() {
        return Stream.of(Arguments.of(Kernel.GAUSSIAN, 2), Arguments.of(Kernel.GAUSSIAN, 17),
                Arguments.of(Kernel.LAPLACE, 3), Arguments.of(Kernel.GAUSSIAN, 784));
    }

    /** The fused Euler step equals the score, the update and the Philox noise done one by one. */
    @ParameterizedTest(name = "m={0} n={1} d={2}")
    @MethodSource("shapes")
    void fusedScoreStepMatchesFloat64(int m, int n, int d) {
        long seed = TestData.freshSeed("score step " + m + "x" + n + "x" + d);
        Problem p = new Problem(seed, m, n, d, Kernel.GAUSSIAN, n > 1, true, false);
        Float64Oracle ref = p.oracle(Kernel.GAUSSIAN);
        Tolerance tol = new Tolerance(ref, d, 1);
        double yScale = TestData.maxAbs(p.y);
        float step = 0.3f, noise = 0.7f;
        long key = seed * 31, stream = 5;
        for (Placement where : placements()) {
            try (Operands o = new Operands(where, p.x, p.y)) {
                KernelSum spec = p.spec(Kernel.GAUSSIAN);
                engine.gaussianScoreStep(spec, o.queries, o.data, step, noise, key, stream);
                float[] got = o.values(o.queries);
                for (int i = 0; i < m; i++) {
                    double h2 = (double) p.bandwidths[i] * p.bandwidths[i];
                    for (int k = 0; k < d; k++) {
                        double x = p.x[i][k];
                        double z = io.kgen.random.Philox.normal(key, stream, (long) i * d + k);
                        double want = x + step * (ref.mean[i][k] - x) / h2 + noise * z;
                        double bound = tol.of(i) * step * (yScale + Math.abs(x)) / h2 + 4 * Math.ulp((float) (Math.abs(want) + 1));
                        assertEquals(want, got[i * d + k], bound, where + " row " + i + ", column " + k);
                    }
                }
            }
        }
    }

    /** Logits that overflow float (a point at distance 0 under a tiny bandwidth; a point 1e20 away). */
    @Test
    void extremeLogitsGiveTheLimitNotNaN() {
        float[][] y = {{0.25f, -1f}, {3f, 4f}};
        float[][] x = {{0.25f, -1f}};
        try (Operands o = new Operands(placements().get(0), x, y)) {
            Matrix lse = o.output(1, 1);
            Matrix mean = o.output(1, 2);
            engine.kernelSums(KernelSum.gaussian(1e-19f), o.queries, o.data, lse, mean, null);
            assertEquals(Math.log(0.5), o.values(lse)[0], 1e-6, "only the coincident point counts");
            assertArrayEquals(new float[] {0.25f, -1f}, o.values(mean));
        }
        float[][] far = {{1e20f}, {0f}};
        float[][] origin = {{0f}};
        for (Kernel kernel : Kernel.values()) {
            try (Operands o = new Operands(placements().get(0), origin, far)) {
                Matrix mean = o.output(1, 1);
                engine.kernelSums(KernelSum.of(kernel, Bandwidth.of(1f)), o.queries, o.data, null, mean, null);
                assertEquals(0f, o.values(mean)[0], kernel + ": the far point has no weight");
            }
        }
    }

    /** Splitting the data, merging the partial states and finalising gives the whole sum. */
    @ParameterizedTest(name = "{0} d={1} loo={2}")
    @MethodSource("partialCases")
    void partialStatesMergeToTheWholeSum(Kernel kernel, int d, boolean loo) {
        long seed = TestData.freshSeed("partial states " + kernel + " d=" + d);
        int n = 211;
        int m = loo ? n : 37;
        Problem p = new Problem(seed, m, n, d, kernel, false, false, loo);
        Float64Oracle ref = p.oracle(kernel);
        Tolerance tol = new Tolerance(ref, d, 4); // three partial states rounded to float, then merged
        boolean laplace = kernel == Kernel.LAPLACE;
        KernelSum spec = p.spec(kernel);
        int[] cuts = {0, 1, 90, n};
        PartialSums total = null;
        for (int s = 0; s + 1 < cuts.length; s++) {
            float[][] slice = java.util.Arrays.copyOfRange(p.y, cuts[s], cuts[s + 1]);
            PartialSums part = PartialSums.host(m, d, laplace);
            engine.partialSums(spec, FloatMatrix.of(p.x), FloatMatrix.of(slice), -cuts[s], part);
            if (total == null) total = part;
            else engine.mergePartial(total, part);
        }
        KernelSums sums = engine.finalizePartial(total);
        // Partial states carry unit weights: the whole sum's LSE has the extra log(1/N).
        double logUniform = -Math.log(loo ? n - 1 : n);
        float[] lse = sums.lse().toArray();
        for (int i = 0; i < m; i++) {
            double got = lse[i] + logUniform;
            assertEquals(ref.lse[i], got, tol.lse(i, ref.lse[i]), "lse[" + i + "]");
        }
        double yScale = TestData.maxAbs(p.y);
        assertRows("mean", ref.mean, sums.mean().toArray(), (i, k) -> tol.of(i) * yScale);
        if (laplace) {
            assertRows("laplace gradient", ref.laplaceGradient, sums.laplaceGradient().toArray(),
                    (i, k) -> tol.of(i) / p.bandwidths[i]);
        }
    }

    static Stream<Arguments> partialCases() {
        return Stream.of(Arguments.of(Kernel.GAUSSIAN, 3, false), Arguments.of(Kernel.LAPLACE, 2, true),
                Arguments.of(Kernel.GAUSSIAN, 40, true), Arguments.of(Kernel.LAPLACE, 17, false));
    }

    /** Philox normals and uniforms from this backend equal the Java twin's bit for bit. */
    @Test
    void philoxDrawsMatchTheJavaTwinBitForBit() {
        long seed = TestData.freshSeed("philox");
        SplittableRandom rng = new SplittableRandom(seed);
        for (int trial = 0; trial < 6; trial++) {
            long key = rng.nextLong();
            long stream = trial == 0 ? 0 : rng.nextLong();
            long offset = trial == 1 ? 0 : rng.nextLong() >>> (trial * 8);
            int count = 1 + rng.nextInt(5000);
            for (boolean normal : new boolean[] {true, false}) {
                float[] expected = new float[count];
                if (normal) io.kgen.random.Philox.fillNormal(key, stream, offset, expected);
                else io.kgen.random.Philox.fillUniform(key, stream, offset, expected);
                try (Operands o = new Operands(placements().get(placements().size() - 1), null, null)) {
                    Matrix out = o.output(count, 1);
                    if (normal) engine.fillNormal(out, key, stream, offset);
                    else engine.fillUniform(out, key, stream, offset);
                    float[] got = o.values(out);
                    for (int i = 0; i < count; i++) {
                        if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected[i])) {
                            fail((normal ? "normal" : "uniform") + " element " + (offset + i) + " of stream " + stream
                                    + " (seed " + key + "): native " + got[i] + ", Java " + expected[i]);
                        }
                    }
                }
            }
        }
    }

    /** Nearest two rows and distance sums against brute force in float64. */
    @ParameterizedTest(name = "m={0} n={1} d={2}")
    @MethodSource("shapes")
    void nearestTwoAndDistanceSumsMatchFloat64(int m, int n, int d) {
        long seed = TestData.freshSeed("nearest two " + m + "x" + n + "x" + d);
        boolean loo = m == n && n >= 2;
        Problem p = new Problem(seed, m, n, d, Kernel.GAUSSIAN, true, false, loo);
        double tol = baseTolerance(d) + logitTolerance(d);
        for (Placement where : placements()) {
            try (Operands o = new Operands(where, p.x, p.y)) {
                Engine.NearestTwo near = engine.nearestTwo(o.queries, o.data, loo);
                float[] sums = engine.distanceSums(o.queries, o.data, FloatMatrix.wrap(n, 1, p.weights.clone()), loo).toArray();
                for (int i = 0; i < m; i++) {
                    double[] r = new double[n];
                    double weighted = 0;
                    for (int j = 0; j < n; j++) {
                        double r2 = 0;
                        for (int k = 0; k < d; k++) r2 += ((double) p.x[i][k] - p.y[j][k]) * ((double) p.x[i][k] - p.y[j][k]);
                        r[j] = (loo && i == j) ? Double.POSITIVE_INFINITY : Math.sqrt(r2);
                        if (!(loo && i == j)) weighted += p.weights[j] * r[j];
                    }
                    Integer[] order = new Integer[n];
                    for (int j = 0; j < n; j++) order[j] = j;
                    java.util.Arrays.sort(order, (a, b) -> r[a] != r[b] ? Double.compare(r[a], r[b]) : Integer.compare(a, b));
                    int available = loo ? n - 1 : n;
                    for (int k = 0; k < 2; k++) {
                        float got = near.distances().get(i, k);
                        long index = near.indices()[2 * i + k];
                        if (k >= available) {
                            assertEquals(Float.POSITIVE_INFINITY, got, where + " missing neighbour " + k + " of " + i);
                            assertEquals(-1, index);
                            continue;
                        }
                        double want = r[order[k]];
                        assertEquals(want, got, tol * Math.max(want, 1e-30) + 1e-30, where + " distance " + k + " of query " + i);
                        // Indices must agree unless float rounding could reorder a near tie.
                        double gapBelow = k == 0 ? Double.POSITIVE_INFINITY : want - r[order[k - 1]];
                        double gapAbove = k + 1 < available ? r[order[k + 1]] - want : Double.POSITIVE_INFINITY;
                        if (Math.min(gapBelow, gapAbove) > 4 * tol * want) {
                            assertEquals((long) order[k], index, where + " index " + k + " of query " + i);
                        }
                    }
                    assertEquals(weighted, sums[i], tol * Math.max(weighted, 1e-30) + 1e-30, where + " distance sum " + i);
                }
            }
        }
    }

    @Test
    void nearestTiesGoToTheSmallerIndex() {
        float[][] y = {{1, 1}, {0, 0}, {1, 1}, {0, 0}};
        float[][] x = {{0.1f, 0.1f}};
        try (Operands o = new Operands(placements().get(0), x, y)) {
            Engine.NearestTwo near = engine.nearestTwo(o.queries, o.data, false);
            assertArrayEquals(new long[] {1, 3}, near.indices());
        }
    }

    @Test
    void rowUpdateAndSumSquaresMatchJava() {
        long seed = TestData.freshSeed("row update");
        SplittableRandom rng = new SplittableRandom(seed);
        int m = 37, d = 5;
        float[][] y = TestData.gaussian(rng, m, d, 1);
        float[][] a = TestData.gaussian(rng, m, d, 1);
        float[][] x = TestData.gaussian(rng, m, d, 1);
        float[] scale = TestData.uniform(rng, m, -2, 2);
        for (Placement where : placements()) {
            try (Operands o = new Operands(where, y, a); Operands ox = new Operands(where, x, null)) {
                engine.rowUpdate(o.queries, o.data, ox.queries, FloatMatrix.wrap(m, 1, scale.clone()));
                float[] got = o.values(o.queries);
                double sumSq = 0;
                for (int i = 0; i < m; i++) {
                    for (int k = 0; k < d; k++) {
                        float want = y[i][k] + scale[i] * (a[i][k] - x[i][k]);
                        assertEquals(want, got[i * d + k], exactElementwise() ? 0 : 4 * Math.ulp(Math.abs(want) + 4), where + " " + i + "," + k);
                        sumSq += (double) got[i * d + k] * got[i * d + k];
                    }
                }
                assertEquals(sumSq, engine.sumSquares(o.queries), 1e-12 * sumSq, where + " sum of squares");
            }
        }
    }

    /** Whether elementwise float updates match Java's float arithmetic bit for bit (no FMA fusion). */
    abstract boolean exactElementwise();

    /** x + alpha a + beta b + noise z, against the same arithmetic in Java with the Java Philox twin. */
    @ParameterizedTest(name = "rows={0} cols={1} offset={2}")
    @CsvSource({"1, 1, 0", "7, 3, 5", "129, 17, 1", "1000, 2, 123456789"})
    void particleUpdateMatchesJava(int rows, int cols, long offset) {
        long seed = TestData.freshSeed("particle update");
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] x = TestData.gaussian(rng, rows, cols, 1);
        float[][] a = TestData.gaussian(rng, rows, cols, 1);
        float[][] b = TestData.gaussian(rng, rows, cols, 1);
        float alpha = 0.3f, beta = -1.7f, noise = 0.05f;
        long key = rng.nextLong(), stream = rng.nextLong();
        for (Placement where : placements()) {
            try (Operands o = new Operands(where, x, a); Operands ob = new Operands(where, b, null)) {
                engine.particleUpdate(o.queries, alpha, o.data, beta, ob.queries, noise, key, stream, offset);
                float[] got = o.values(o.queries);
                for (int i = 0; i < rows; i++) {
                    for (int k = 0; k < cols; k++) {
                        int flat = i * cols + k;
                        float want = x[i][k];
                        want += alpha * a[i][k];
                        want += beta * b[i][k];
                        want += noise * io.kgen.random.Philox.normal(key, stream, offset + flat);
                        float bound = exactElementwise() ? 0f : 4 * Math.ulp(Math.abs(x[i][k]) + Math.abs(alpha * a[i][k])
                                + Math.abs(beta * b[i][k]) + 1f);
                        assertEquals(want, got[flat], bound, where + " element " + flat);
                    }
                }
            }
        }
        // Without noise and without b: a plain axpy, and x unchanged where alpha is 0.
        try (Operands o = new Operands(placements().get(0), x, a)) {
            engine.particleUpdate(o.queries, 0f, o.data, 0f, null, 0f, 0, 0, 0);
            float[] got = o.values(o.queries);
            for (int i = 0; i < rows; i++) for (int k = 0; k < cols; k++) assertEquals(x[i][k], got[i * cols + k]);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** Operands placed as the test asks; closes what it created. */
    final class Operands implements AutoCloseable {
        final Placement where;
        final Matrix queries;
        final Matrix data;
        private final List<AutoCloseable> owned = new ArrayList<>();

        Operands(Placement where, float[][] x, float[][] y) {
            this.where = where;
            this.queries = x == null ? null : place(FloatMatrix.of(x));
            this.data = y == null ? null : (x == y ? queries : place(FloatMatrix.of(y)));
        }

        private Matrix place(FloatMatrix host) {
            switch (where) {
                case HEAP:
                    return host;
                case OFF_HEAP: {
                    FloatMatrix off = FloatMatrix.offHeap(host.rows(), host.cols());
                    owned.add(off);
                    float[] values = host.toArray();
                    for (int i = 0; i < values.length; i++) off.setFlat(i, values[i]);
                    return off;
                }
                default: {
                    DeviceMatrix dm = engine.upload(host);
                    owned.add(dm);
                    return dm;
                }
            }
        }

        /** An output of the placement's kind, filled with NaN. */
        Matrix output(long rows, int cols) {
            FloatMatrix poisoned = TestData.poisoned(rows, cols);
            if (where == Placement.HEAP) return poisoned;
            Matrix placed = place(poisoned);
            if (placed instanceof DeviceMatrix dm) engine.fill(dm, Float.NaN);
            return placed;
        }

        float[] values(Matrix m) {
            if (m instanceof DeviceMatrix dm) return dm.download().toArray();
            return ((FloatMatrix) m).toArray();
        }

        @Override
        public void close() {
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    interface Bound1 {
        double at(int i);
    }

    interface Bound2 {
        double at(int i, int k);
    }

    static void assertVector(String what, double[] ref, float[] got, Bound1 bound) {
        assertEquals(ref.length, got.length, what + ": length");
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs(got[i] - ref[i]);
            if (!(err <= bound.at(i))) {
                fail(what + "[" + i + "]: got " + got[i] + ", float64 reference " + ref[i] + ", error " + err
                        + " > bound " + bound.at(i));
            }
        }
    }

    static void assertRows(String what, double[][] ref, float[] got, Bound2 bound) {
        int d = ref[0].length;
        assertEquals(ref.length * d, got.length, what + ": length");
        for (int i = 0; i < ref.length; i++) {
            for (int k = 0; k < d; k++) {
                float g = got[i * d + k];
                double err = Math.abs(g - ref[i][k]);
                if (!(err <= bound.at(i, k))) {
                    fail(what + "[" + i + "][" + k + "]: got " + g + ", float64 reference " + ref[i][k] + ", error "
                            + err + " > bound " + bound.at(i, k));
                }
            }
        }
    }
}
