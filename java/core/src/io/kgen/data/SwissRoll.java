package io.kgen.data;

import io.kgen.FloatMatrix;
import io.kgen.random.Philox;

/**
 * The 2-d Swiss roll: t uniform in [1.5 pi, 4.5 pi), the point (t cos t, t sin t) / 10 plus
 * Gaussian noise, drawn from the Philox stream so that a seed fixes the data everywhere.
 */
public final class SwissRoll {
    private SwissRoll() {}

    public static FloatMatrix sample(int n, double noise, long seed) {
        return sample(0, n, noise, seed);
    }

    /** Points {@code first .. first+n-1} of the seed's stream (disjoint ranges: independent points). */
    static FloatMatrix sample(long first, int n, double noise, long seed) {
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new IllegalArgumentException("noise must be finite and >= 0, got " + noise);
        }
        FloatMatrix out = FloatMatrix.heap(n, 2);
        for (int r = 0; r < n; r++) {
            long i = first + r;
            double t = 1.5 * Math.PI * (1 + 2 * Philox.uniform(seed, 0, i));
            out.set(r, 0, (float) (t * Math.cos(t) / 10 + noise * Philox.normal(seed, 1, 2L * i)));
            out.set(r, 1, (float) (t * Math.sin(t) / 10 + noise * Philox.normal(seed, 1, 2L * i + 1)));
        }
        return out;
    }
}
