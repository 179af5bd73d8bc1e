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
 * The update family (particle updates, row update, sum of squares, the fused Euler step) of one
 * backend against the same arithmetic in Java or float64.
 */
abstract class UpdateContract extends EngineFixture {
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
                engine.gaussianScoreStep(spec, o.queries, o.data, step, noise, RandomStream.of(key, stream));
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
                        assertEquals(want, got[i * d + k], profile().exactElementwise ? 0 : 4 * Math.ulp(Math.abs(want) + 4), where + " " + i + "," + k);
                        sumSq += (double) got[i * d + k] * got[i * d + k];
                    }
                }
                assertEquals(sumSq, engine.sumSquares(o.queries), 1e-12 * sumSq, where + " sum of squares");
            }
        }
    }

    /** x + alpha a + beta b, then + noise z, against the same arithmetic in Java with the Java Philox twin. */
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
                engine.addScaled(o.queries, alpha, o.data, beta, ob.queries);
                engine.addNoise(o.queries, noise, new RandomStream(key, stream, offset));
                float[] got = o.values(o.queries);
                for (int i = 0; i < rows; i++) {
                    for (int k = 0; k < cols; k++) {
                        int flat = i * cols + k;
                        float want = x[i][k];
                        want += alpha * a[i][k];
                        want += beta * b[i][k];
                        want += noise * io.kgen.random.Philox.normal(key, stream, offset + flat);
                        float bound = profile().exactElementwise ? 0f : 4 * Math.ulp(Math.abs(x[i][k]) + Math.abs(alpha * a[i][k])
                                + Math.abs(beta * b[i][k]) + 1f);
                        assertEquals(want, got[flat], bound, where + " element " + flat);
                    }
                }
            }
        }
        // x unchanged where alpha is 0.
        try (Operands o = new Operands(placements().get(0), x, a)) {
            engine.addScaled(o.queries, 0, o.data);
            float[] got = o.values(o.queries);
            for (int i = 0; i < rows; i++) for (int k = 0; k < cols; k++) assertEquals(x[i][k], got[i * cols + k]);
        }
    }

}
