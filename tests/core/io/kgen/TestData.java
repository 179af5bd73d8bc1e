package io.kgen;

import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;

/** Fresh seeded random inputs; every generator prints its seed so a failure can be replayed. */
final class TestData {
    private TestData() {}

    /** A new seed each run, or -Dkgen.test.seed=... to replay one (see {@link TestSeeds}). */
    static long freshSeed(String what) {
        return TestSeeds.seed(what);
    }

    static float[][] gaussian(SplittableRandom rng, int rows, int cols, double scale) {
        float[][] out = new float[rows][cols];
        for (float[] row : out) {
            for (int k = 0; k < cols; k++) row[k] = (float) (scale * normal(rng));
        }
        return out;
    }

    static float[] uniform(SplittableRandom rng, int count, double lo, double hi) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return out;
    }

    static double normal(SplittableRandom rng) {
        double u = 1.0 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** A host matrix filled with NaN, so that any element an operation fails to write shows. */
    static FloatMatrix poisoned(long rows, int cols) {
        FloatMatrix m = FloatMatrix.heap(rows, cols);
        m.fill(Float.NaN);
        return m;
    }

    static float[] filled(int count, float value) {
        float[] out = new float[count];
        java.util.Arrays.fill(out, value);
        return out;
    }

    static double maxAbs(float[][] values) {
        double max = 0;
        for (float[] row : values) for (float v : row) max = Math.max(max, Math.abs(v));
        return max;
    }
}
