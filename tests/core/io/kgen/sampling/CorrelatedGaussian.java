package io.kgen.sampling;

import io.kgen.FloatMatrix;
import java.util.SplittableRandom;

/**
 * The Gaussian-data known-answer tests' law N(mu, S) in 2-d, mu = (1, -0.5), S = L L' =
 * [[1, 0.6], [0.6, 0.72]] (not diagonal), and the eigen-decomposition of a 2 x 2 covariance along
 * which the linear-score predictions run.
 */
final class CorrelatedGaussian {
    private CorrelatedGaussian() {}

    /** n draws of N(mu, S). */
    static FloatMatrix sample(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] mu = {1.0, -0.5};
        double[][] l = {{1.0, 0}, {0.6, 0.6}};
        FloatMatrix data = FloatMatrix.heap(n, 2);
        for (int i = 0; i < n; i++) {
            double z0 = rng.nextGaussian(), z1 = rng.nextGaussian();
            data.set(i, 0, (float) (mu[0] + l[0][0] * z0));
            data.set(i, 1, (float) (mu[1] + l[1][0] * z0 + l[1][1] * z1));
        }
        return data;
    }

    /** One eigenvalue of a symmetric 2 x 2 matrix and its unit eigenvector. */
    record Eigen(double lambda, double[] e) {}

    /** Both eigenpairs (closed form). */
    static Eigen[] eigen(double[][] s) {
        double a = s[0][0], b = s[0][1], d = s[1][1];
        double mid = (a + d) / 2, half = Math.sqrt((a - d) * (a - d) / 4 + b * b);
        Eigen[] out = new Eigen[2];
        int k = 0;
        for (double lambda : new double[] {mid + half, mid - half}) {
            double[] e = Math.abs(b) > 1e-12 ? new double[] {b, lambda - a}
                    : (Math.abs(lambda - a) < 1e-12 ? new double[] {1, 0} : new double[] {0, 1});
            double norm = Math.hypot(e[0], e[1]);
            out[k++] = new Eigen(lambda, new double[] {e[0] / norm, e[1] / norm});
        }
        return out;
    }
}
