package io.kgen.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * KL(N(mu1, S1) || N(mu0, S0)) = (1/2) [tr(S0^-1 S1) + (mu0 - mu1)' S0^-1 (mu0 - mu1) - d
 * + ln det S0 - ln det S1], in d = 3 with nonzero means and full covariances, against the same
 * formula written with cofactor inverses and determinants (no Cholesky, unlike the code), and
 * against special cases whose value needs no matrix algebra at all. Tolerance 1e-12 relative:
 * both sides are a few dozen double operations on well-conditioned 3 x 3 matrices.
 */
class GaussianKlTest {
    private static final double[] MU0 = {1.0, -2.0, 0.5};
    private static final double[][] S0 = {{2.0, 0.6, -0.3}, {0.6, 1.5, 0.4}, {-0.3, 0.4, 1.0}};
    private static final double[] MU1 = {0.2, -1.0, 1.5};
    private static final double[][] S1 = {{1.0, -0.2, 0.1}, {-0.2, 0.8, 0.3}, {0.1, 0.3, 2.5}};

    /** The closed form with the inverse by cofactors. */
    static double closedForm(double[] mu1, double[][] s1, double[] mu0, double[][] s0) {
        double[][] inv = inverse(s0);
        double trace = 0, quad = 0;
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 3; k++) {
                trace += inv[i][k] * s1[k][i];
                quad += (mu0[i] - mu1[i]) * inv[i][k] * (mu0[k] - mu1[k]);
            }
        }
        return 0.5 * (trace + quad - 3 + Math.log(det(s0)) - Math.log(det(s1)));
    }

    static double det(double[][] a) {
        return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    }

    static double[][] inverse(double[][] a) {
        double det = det(a);
        double[][] inv = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
                inv[i][j] = (a[r0][c0] * a[r1][c1] - a[r0][c1] * a[r1][c0]) / det;
            }
        }
        return inv;
    }

    @Test
    void fullCovariancesWithShiftedMeansMatchTheClosedForm() {
        double want = closedForm(MU1, S1, MU0, S0);
        assertEquals(want, GaussianKl.between(MU1, S1, MU0, S0), 1e-12 * want);
        double back = closedForm(MU0, S0, MU1, S1);
        assertEquals(back, GaussianKl.between(MU0, S0, MU1, S1), 1e-12 * back);
        // The two directions differ by far more than the tolerance, so swapped arguments fail above.
        assertTrue(Math.abs(want - back) > 1e-3 * want, "KL is not symmetric: " + want + " vs " + back);
    }

    @Test
    void randomGaussiansMatchTheClosedForm() {
        SplittableRandom rng = TestSeeds.random("Gaussian KL");
        for (int trial = 0; trial < 50; trial++) {
            double[][] a = spd(rng), b = spd(rng);
            double[] m0 = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            double[] m1 = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            double want = closedForm(m1, a, m0, b);
            // S = G G' + 0.5 I has eigenvalues >= 0.5: condition numbers stay below about 100.
            assertEquals(want, GaussianKl.between(m1, a, m0, b), 1e-10 * Math.max(1, want), "trial " + trial);
        }
    }

    private static double[][] spd(SplittableRandom rng) {
        double[][] g = new double[3][3];
        for (double[] row : g) for (int k = 0; k < 3; k++) row[k] = rng.nextGaussian();
        double[][] s = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) s[i][j] += g[i][k] * g[j][k];
                if (i == j) s[i][j] += 0.5;
            }
        }
        return s;
    }

    /** Equal covariances: KL = (1/2) |L^-1 (mu0 - mu1)|^2, here for S = diag(4, 1, 0.25) rotated. */
    @Test
    void aMeanShiftCostsHalfTheMahalanobisDistance() {
        assertEquals(0.5 * (2.0 * 2.0 / 4), GaussianKl.between(new double[] {2, 0, 0}, diag(4, 1, 0.25), new double[3], diag(4, 1, 0.25)), 1e-14);
        assertEquals(0.5 * (1.0 / 0.25), GaussianKl.between(new double[] {0, 0, 1}, diag(4, 1, 0.25), new double[3], diag(4, 1, 0.25)), 1e-14);
        // S0 with a correlation: the shift along (1, 1) of S0 = [[1, r], [r, 1]] (plus a third axis) costs 2 / (1 + r).
        double r = 0.6;
        double[][] s = {{1, r, 0}, {r, 1, 0}, {0, 0, 1}};
        assertEquals(0.5 * 2 / (1 + r), GaussianKl.between(new double[] {1, 1, 0}, s, new double[3], s), 1e-14);
    }

    /** Equal means, S1 = c S0: KL = (d / 2) (c - 1 - ln c). */
    @Test
    void aScaledCovarianceCostsItsClosedForm() {
        double c = 2.5;
        double[][] scaled = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) scaled[i][j] = c * S0[i][j];
        assertEquals(1.5 * (c - 1 - Math.log(c)), GaussianKl.between(MU0, scaled, MU0, S0), 1e-13);
        assertEquals(1.5 * (1 / c - 1 + Math.log(c)), GaussianKl.between(MU0, S0, MU0, scaled), 1e-13);
        assertEquals(0, GaussianKl.between(MU1, S1, MU1, S1), 1e-14);
    }

    /**
     * fitted uses the sample mean and the (n - 1) covariance. A symmetric point set has both
     * exactly: {c +- L e_k} has mean c and covariance L L' / (n - 1) times 2 per axis pair.
     */
    @Test
    void fittedUsesTheSampleMeanAndUnbiasedCovariance() {
        double[] c = {0.5, -1.0, 2.0};
        double[][] l = {{1.0, 0, 0}, {0.5, 0.8, 0}, {-0.3, 0.2, 0.6}};
        FloatMatrix samples = FloatMatrix.heap(6, 3);
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 3; i++) {
                samples.set(2 * k, i, (float) (c[i] + l[i][k]));
                samples.set(2 * k + 1, i, (float) (c[i] - l[i][k]));
            }
        }
        double[] mean = new double[3];
        double[][] cov = new double[3][3];
        for (int i = 0; i < 6; i++) for (int k = 0; k < 3; k++) mean[k] += samples.get(i, k) / 6.0;
        for (int i = 0; i < 6; i++) {
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) cov[a][b] += (samples.get(i, a) - mean[a]) * (samples.get(i, b) - mean[b]) / 5.0;
        }
        // The float32 points are exact to 1e-7: the fitted moments are the ones just computed.
        double want = closedForm(mean, cov, MU0, S0);
        assertEquals(want, GaussianKl.fitted(samples, MU0, S0), 1e-9 * want);
        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) {
            double ll = 0;
            for (int k = 0; k < 3; k++) ll += l[a][k] * l[b][k];
            assertEquals(2 * ll / 5, cov[a][b], 1e-6, "the design's covariance");
        }
    }

    @Test
    void fittingNeedsMoreThanDRowsAndMatchingColumns() {
        double[][] identity = diag(1, 1, 1);
        FloatMatrix four = FloatMatrix.of(new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}});
        assertTrue(GaussianKl.fitted(four, new double[3], identity) > 0, "d + 1 rows are enough");
        // d rows are rejected for their number, before any (near-singular) covariance is formed.
        FloatMatrix three = FloatMatrix.of(new float[][] {{1, 0.2f, 0}, {0.3f, 1, 0}, {0, 0.1f, 1}});
        assertEquals("need more than d = 3 samples to fit a covariance",
                assertThrows(IllegalArgumentException.class, () -> GaussianKl.fitted(three, new double[3], identity)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> GaussianKl.fitted(FloatMatrix.heap(10, 2), new double[3], identity));
        assertThrows(IllegalArgumentException.class, () -> GaussianKl.fitted(null, new double[3], identity));
        // Positive semi-definite is not enough: a zero eigenvalue has no inverse.
        double[][] singular = {{1, 1, 0}, {1, 1, 0}, {0, 0, 1}};
        assertThrows(IllegalArgumentException.class, () -> GaussianKl.between(MU0, S1, MU0, singular));
        assertThrows(IllegalArgumentException.class, () -> GaussianKl.between(MU0, singular, MU0, S1));
        // A zero pivot in the last row, where no NaN from an earlier one could hide it.
        double[][] lastSingular = {{1, 0, 0}, {0, 1, 1}, {0, 1, 1}};
        assertThrows(IllegalArgumentException.class, () -> GaussianKl.between(MU0, S1, MU0, lastSingular));
        assertThrows(IllegalArgumentException.class, () -> GaussianKl.between(MU0, S1, MU0, diag(1, -1, 1)));
    }

    private static double[][] diag(double a, double b, double c) {
        return new double[][] {{a, 0, 0}, {0, b, 0}, {0, 0, c}};
    }
}
