package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.testing.FalseFailure;

/**
 * Checks that M independent rows look like draws of N(mean, v I): each coordinate's mean, the
 * variance pooled over coordinates (about the known mean: v chi2(M d) / (M d)) and each
 * off-diagonal second moment (mean 0, variance v^2 / M). One group of checks, so a correct sampler
 * fails it with probability below FalseFailure.RATE.
 */
final class IsotropicGaussianCheck {
    private IsotropicGaussianCheck() {}

    /** The relative half-width of the pooled-variance check for M rows in d dimensions. */
    static double varianceBand(long rows, int d) {
        double[] r = FalseFailure.varianceRatio(rows * d, checks(d));
        return Math.max(1 - r[0], r[1] - 1);
    }

    static void check(FloatMatrix x, double[] mean, double v, String what) {
        int d = mean.length;
        long m = x.rows();
        double z = FalseFailure.sigmas(checks(d));
        double[] r = FalseFailure.varianceRatio(m * d, checks(d));
        double[] sum = new double[d];
        double[][] second = new double[d][d];
        for (long i = 0; i < m; i++) {
            for (int k = 0; k < d; k++) {
                double uk = x.get(i, k) - mean[k];
                sum[k] += uk;
                for (int l = 0; l <= k; l++) second[k][l] += uk * (x.get(i, l) - mean[l]);
            }
        }
        double pooled = 0;
        for (int k = 0; k < d; k++) {
            double offset = sum[k] / m;
            assertTrue(Math.abs(offset) <= z * Math.sqrt(v / m),
                    what + ": mean of coordinate " + k + " is off by " + offset + ", allowed " + z * Math.sqrt(v / m));
            pooled += second[k][k];
            for (int l = 0; l < k; l++) {
                double c = second[k][l] / m;
                assertTrue(Math.abs(c) <= z * v / Math.sqrt(m), what + ": covariance " + k + "," + l + " = " + c);
            }
        }
        double ratio = pooled / (m * d) / v;
        assertTrue(ratio >= r[0] && ratio <= r[1],
                what + ": variance " + pooled / (m * d) + " against " + v + " (ratio " + ratio + ", allowed " + r[0] + ".." + r[1] + ")");
    }

    private static int checks(int d) {
        return d + 1 + d * (d - 1) / 2;
    }
}
