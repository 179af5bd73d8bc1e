package io.kgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel-sum family (kgen_kernel_sum, kgen_log_density, kgen_score) of one backend against the
 * float64 oracle, for every kernel, on fresh seeded inputs at odd sizes, outputs poisoned.
 */
abstract class KernelSumContract extends EngineFixture {
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        shapes().forEach(a -> {
            int m = (int) a.get()[0], n = (int) a.get()[1], d = (int) a.get()[2];
            for (Kernel kernel : Kernel.values()) {
                out.add(Arguments.of(m, n, d, kernel, false, false, false));
                out.add(Arguments.of(m, n, d, kernel, true, true, false));
                if (m == n && n >= 2) out.add(Arguments.of(m, n, d, kernel, false, kernel != Kernel.GAUSSIAN, true));
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
                Matrix gradient = o.output(m, d);
                engine.kernelSums(p.spec(kernel), o.queries, o.data, new KernelSumOutputs(lse, mean, gradient));
                String tag = where + " " + kernel;
                assertVector(tag + " lse", ref.lse, o.values(lse), i -> tol.lse(i, ref.lse[i]));
                assertRows(tag + " mean", ref.mean, o.values(mean), (i, k) -> tol.of(i) * yScale);
                assertRows(tag + " gradient", ref.gradient, o.values(gradient),
                        (i, k) -> tol.of(i) * ref.gradientScale[i][k]);
            }
        }
    }

    static Stream<Arguments> densityCases() {
        List<Arguments> out = new ArrayList<>();
        shapes().forEach(a -> {
            for (Kernel kernel : Kernel.values()) out.add(Arguments.of(a.get()[0], a.get()[1], a.get()[2], kernel));
        });
        return out.stream();
    }

    @ParameterizedTest(name = "m={0} n={1} d={2} {3}")
    @MethodSource("densityCases")
    void logDensityAndScoreMatchFloat64(int m, int n, int d, Kernel kernel) {
        long seed = TestData.freshSeed("log-density and score " + kernel + " " + m + "x" + n + "x" + d);
        Problem p = new Problem(seed, m, n, d, kernel, m % 2 == 1, true, false);
        Float64Oracle ref = p.oracle(kernel);
        Tolerance tol = new Tolerance(ref, d, 1);
        for (Placement where : placements()) {
            try (Operands o = new Operands(where, p.x, p.y)) {
                Matrix logDensity = o.output(m, 1);
                Matrix score = o.output(m, d);
                KernelSum spec = p.spec(kernel);
                engine.logDensity(spec, o.queries, o.data, logDensity);
                engine.score(spec, o.queries, o.data, score);
                assertVector(where + " " + kernel + " log-density", ref.logDensity, o.values(logDensity),
                        i -> tol.lse(i, ref.logDensity[i]));
                assertRows(where + " " + kernel + " score", ref.gradient, o.values(score),
                        (i, k) -> tol.of(i) * ref.gradientScale[i][k]);
            }
        }
    }

    /** A query on a data point: the Laplace kernel's coincident pair adds nothing to the gradient. */
    @Test
    void laplaceGradientAtACoincidentPointIsFinite() {
        float[][] y = {{0f, 0f}, {1f, 0f}};
        float[][] x = {{0f, 0f}};
        try (Operands o = new Operands(placements().get(0), x, y)) {
            Matrix gradient = o.output(1, 2);
            engine.kernelSums(KernelSum.laplace(1), o.queries, o.data, new KernelSumOutputs(null, null, gradient));
            // P = (1, e^-1) / (1 + e^-1); only the second pair has a direction: (1, 0) / (tau r).
            double want = Math.exp(-1) / (1 + Math.exp(-1));
            float[] got = o.values(gradient);
            assertEquals(want, got[0], 1e-6 + 4 * logitTolerance(2), "gradient x");
            assertEquals(0f, got[1], "gradient y");
        }
    }

    /** Heavy tails: a Cauchy kernel still weighs a point 1e3 bandwidths away by its power law. */
    @Test
    void cauchyKeepsWeightOnFarPoints() {
        float[][] y = {{0f}, {1000f}};
        float[][] x = {{0f}};
        try (Operands o = new Operands(placements().get(0), x, y)) {
            Matrix mean = o.output(1, 1);
            engine.kernelSums(KernelSum.cauchy(1), o.queries, o.data, KernelSumOutputs.lseAndMean(null, mean));
            double far = 1 / (1 + 1e6); // (1 + r^2)^(-(d+1)/2), d = 1
            assertEquals(1000 * far / (1 + far), o.values(mean)[0], 1e-6 * 1000 * far + 4 * logitTolerance(1) * 14);
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
        // (Cauchy logits grow only as log r: no float bandwidth reaches 1e4.)
        float h = (float) (kernel == Kernel.GAUSSIAN ? nearest / Math.sqrt(2 * 2e4) : nearest / 2e4);
        float[] bandwidths = TestData.filled(m, h);
        Float64Oracle ref = new Float64Oracle(kernel, x, y, null, bandwidths, false);
        for (double s : ref.logitScale) assertTrue(s >= 1e4 * 0.99, "the test needs logits of 1e4 and more, got " + s);
        Tolerance tol = new Tolerance(ref, d, 1);
        double yScale = TestData.maxAbs(y);
        try (Operands o = new Operands(placements().get(0), x, y)) {
            Matrix lse = o.output(m, 1);
            Matrix mean = o.output(m, d);
            engine.kernelSums(KernelSum.of(kernel, Bandwidth.of(h)), o.queries, o.data, KernelSumOutputs.lseAndMean(lse, mean));
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

    /** Logits that overflow float (a point at distance 0 under a tiny bandwidth; a point 1e20 away). */
    @Test
    void extremeLogitsGiveTheLimitNotNaN() {
        float[][] y = {{0.25f, -1f}, {3f, 4f}};
        float[][] x = {{0.25f, -1f}};
        try (Operands o = new Operands(placements().get(0), x, y)) {
            Matrix lse = o.output(1, 1);
            Matrix mean = o.output(1, 2);
            engine.kernelSums(KernelSum.gaussian(1e-19f), o.queries, o.data, KernelSumOutputs.lseAndMean(lse, mean));
            assertEquals(Math.log(0.5), o.values(lse)[0], 1e-6, "only the coincident point counts");
            assertArrayEquals(new float[] {0.25f, -1f}, o.values(mean));
        }
        float[][] far = {{1e20f}, {0f}};
        float[][] origin = {{0f}};
        for (Kernel kernel : new Kernel[] {Kernel.GAUSSIAN, Kernel.LAPLACE}) {
            try (Operands o = new Operands(placements().get(0), origin, far)) {
                Matrix mean = o.output(1, 1);
                engine.kernelSums(KernelSum.of(kernel, Bandwidth.of(1f)), o.queries, o.data,
                        KernelSumOutputs.lseAndMean(null, mean));
                assertEquals(0f, o.values(mean)[0], kernel + ": the far point has no weight");
            }
        }
    }

}
