package io.kgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the CPU's fast path promises beyond the contract families: every compiled instruction set
 * this CPU runs matches the float64 oracle, the bits do not depend on the thread count, and the
 * high-d GEMM form (on OpenBLAS's sgemm, or on the hand-written blocks with KGEN_CPU_BLAS=off) stays accurate where |x|^2 + |y|^2 - 2 x.y cancels (tiny bandwidths, data far
 * from the origin) and where nearly every weight is negligible.
 */
class CpuFastPathTest {
    /** Opens the fast path on {@code isa}, skipping the test where this CPU lacks it. */
    static Engine open(CpuOptions options) {
        try {
            return Engine.cpu(options);
        } catch (KgenException e) {
            assumeTrue(e.status() != KgenException.Status.UNAVAILABLE, e.getMessage());
            throw e;
        }
    }

    static float[][] shifted(float[][] values, float offset) {
        for (float[] row : values) for (int k = 0; k < row.length; k++) row[k] += offset;
        return values;
    }

    /** Score, LSE and mean against the oracle, with the fast path's tolerance (EngineFixture.Profile.CPU). */
    static void assertMatchesOracle(Engine engine, float[][] x, float[][] y, float h, String what) {
        int d = y[0].length;
        float[] bandwidths = new float[x.length];
        java.util.Arrays.fill(bandwidths, h);
        Float64Oracle ref = new Float64Oracle(Kernel.GAUSSIAN, x, y, null, bandwidths, false);
        KernelSum spec = KernelSum.gaussian(h);
        FloatMatrix lse = TestData.poisoned(x.length, 1);
        FloatMatrix mean = TestData.poisoned(x.length, d);
        engine.kernelSums(spec, FloatMatrix.of(x), FloatMatrix.of(y), KernelSumOutputs.lseAndMean(lse, mean));
        float[] score = engine.score(spec, FloatMatrix.of(x), FloatMatrix.of(y)).toArray();
        double yScale = TestData.maxAbs(y);
        for (int i = 0; i < x.length; i++) {
            double tol = 1e-5 + 4 * 0x1p-24 * (Math.sqrt(d) + 3) * ref.logitScale[i];
            check(what + " lse", i, 0, lse.toArray()[i], ref.lse[i], tol * Math.max(1, Math.abs(ref.lse[i])));
            for (int k = 0; k < d; k++) {
                check(what + " mean", i, k, mean.toArray()[i * d + k], ref.mean[i][k], tol * yScale);
                double want = (ref.mean[i][k] - x[i][k]) / ((double) h * h);
                check(what + " score", i, k, score[i * d + k], want, tol * ref.gradientScale[i][k]);
            }
        }
    }

    static void check(String what, int i, int k, float got, double want, double bound) {
        if (!(Math.abs(got - want) <= bound)) {
            fail(what + "[" + i + "][" + k + "]: got " + got + ", float64 " + want + ", bound " + bound);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = CpuOptions.Isa.class, names = {"PORTABLE", "AVX2", "AVX512"})
    void everyInstructionSetMatchesFloat64(CpuOptions.Isa isa) {
        long seed = TestData.freshSeed("fast path " + isa);
        SplittableRandom rng = new SplittableRandom(seed);
        // The last three span several query and data blocks of the high-d path (sgemm's and the
        // hand-written one's); with sgemm the last one's data is cut into slices too.
        int[][] shapes = {{1, 1, 1}, {13, 97, 2}, {37, 61, 3}, {7, 523, 5}, {17, 131, 16}, {23, 29, 31}, {5, 67, 33},
            {3, 89, 784}, {131, 601, 97}, {41, 263, 257}, {11, 2311, 45}};
        try (Engine engine = open(CpuOptions.defaults().withIsa(isa).withThreads(2))) {
            assertTrue(engine.describe().contains(isa.name().toLowerCase()), engine.describe());
            for (int[] s : shapes) {
                float[][] y = TestData.gaussian(rng, s[1], s[2], 1.0);
                float[][] x = TestData.gaussian(rng, s[0], s[2], 1.2);
                float h = (float) (0.4 * Math.sqrt(2.0 * s[2]));
                assertMatchesOracle(engine, x, y, h, isa + " " + s[0] + "x" + s[1] + "x" + s[2]);
            }
        }
    }

    @ParameterizedTest(name = "m={0} n={1} d={2}")
    @CsvSource({"67,1031,3", "129,129,17", "70,300,100", "301,557,67", "9,2300,50"})
    void sameBitsOnOneTwoAndEightThreads(int m, int n, int d) {
        SplittableRandom rng = new SplittableRandom(TestData.freshSeed("threads " + m + "x" + n + "x" + d));
        FloatMatrix y = FloatMatrix.of(TestData.gaussian(rng, n, d, 1.0));
        FloatMatrix x = FloatMatrix.of(TestData.gaussian(rng, m, d, 1.0));
        KernelSum spec = KernelSum.gaussian(0.3 * Math.sqrt(2.0 * d)).withWeights(TestData.uniform(rng, n, 0.0, 1.0));
        float[] first = null;
        for (int threads : new int[] {1, 2, 8}) {
            try (Engine engine = Engine.cpu(threads)) {
                float[] score = engine.score(spec, x, y).toArray();
                if (first == null) first = score;
                else assertArrayEquals(first, score, threads + " threads against 1");
            }
        }
    }

    /**
     * High d where the GEMM form needs care: h = 0.25 gives logits of about -1.2e4 (r^2 ~ 2 d);
     * data at 1000 makes |x|^2 ~ 1e6 d against r^2 ~ 2 d; at h = 3 the nearest rows carry all but
     * 1e-12 of the weight, so the P.Y work of nearly every row is skipped.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"tiny bandwidth,9,211,0.25,0", "data far from the origin,9,211,8,1000", "sparse weights,33,389,3,0",
        "sparse weights over several blocks,139,613,3,0", "some weights over several blocks,139,613,5,0",
        "data cut into slices,7,2083,6,0"})
    void highDimensionalHardCases(String what, int m, int n, float h, float offset) {
        SplittableRandom rng = new SplittableRandom(TestData.freshSeed(what));
        try (Engine engine = Engine.open(Backend.CPU)) {
            assertMatchesOracle(engine, shifted(TestData.gaussian(rng, m, 784, 1.0), offset),
                    shifted(TestData.gaussian(rng, n, 784, 1.0), offset), h, what);
        }
    }

    /**
     * High d runs on OpenBLAS's sgemm when it is on the class path (it is for these tests) and
     * KGEN_CPU_BLAS is not off; the build runs these tests once more with KGEN_CPU_BLAS=off to
     * cover the hand-written blocks.
     */
    @Test
    void highDBlocksRunOnOpenBlasUnlessSwitchedOff() {
        boolean off = "off".equals(System.getenv("KGEN_CPU_BLAS"));
        try (Engine engine = Engine.cpu(2)) {
            String want = off ? "high d on hand-written blocks" : "high d on OpenBLAS sgemm";
            assertTrue(engine.describe().contains(want), engine.describe());
        }
    }

    @Test
    void threadsMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engine.cpu(0));
        assertTrue(e.getMessage().contains("threads") && e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuOptions.defaults().withThreads(-3));
    }

    @Test
    void describeNamesThePathAndThreads() {
        try (Engine fast = Engine.cpu(3);
                Engine reference = Engine.cpu(CpuOptions.defaults().withPath(CpuOptions.Path.REFERENCE))) {
            assertTrue(fast.describe().contains("3 threads") && fast.describe().contains("fast path"), fast.describe());
            assertTrue(reference.describe().contains("reference path"), reference.describe());
        }
    }
}
