package io.kgen.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.testing.FalseFailure;
import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sliced W2 in d = 3 on point sets where every direction's answer is exact: for y = mu + c +
 * s (x - mu), mu the centroid of x and s > 0, projection keeps the order, so along a unit theta
 * W2^2 = (theta'c)^2 + (1 - s)^2 theta' S theta with S the covariance (1/n) of x: exactly, for
 * finite sets. Over uniform directions E[theta theta'] = I / d, so the sliced W2^2 is
 * (|c|^2 + (1 - s)^2 tr S) / d up to the Monte Carlo error of P directions: each term lies in
 * [0, B], B = |c|^2 + (1 - s)^2 tr S, so by Hoeffding the mean is within
 * B sqrt(ln(2 k / RATE) / (2 P)) except with probability RATE / k.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlicedWassersteinTest {
    private static final int D = 3;
    private static final int P = 20_000;
    private FloatMatrix x;
    private double[] centroid;
    private double traceS;
    private long seed;

    @BeforeAll
    void data() {
        seed = TestSeeds.seed("sliced Wasserstein");
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] l = {{1.0, 0, 0}, {0.7, 0.5, 0}, {-0.4, 0.3, 0.4}}; // a full covariance L L'
        double[] mu = {2.0, -1.0, 0.5};
        x = FloatMatrix.heap(150, D);
        for (int i = 0; i < 150; i++) {
            double[] z = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            for (int a = 0; a < D; a++) {
                double v = mu[a];
                for (int b = 0; b < D; b++) v += l[a][b] * z[b];
                x.set(i, a, (float) v);
            }
        }
        centroid = new double[D];
        for (int i = 0; i < 150; i++) for (int a = 0; a < D; a++) centroid[a] += x.get(i, a) / 150.0;
        for (int i = 0; i < 150; i++) for (int a = 0; a < D; a++) traceS += Math.pow(x.get(i, a) - centroid[a], 2) / 150;
    }

    /** mu + c + s (x - mu), rows repeated {@code copies} times (the same empirical measure). */
    private FloatMatrix moved(double[] c, double s, int copies) {
        FloatMatrix y = FloatMatrix.heap(x.rows() * copies, D);
        for (int r = 0; r < copies; r++) {
            for (int i = 0; i < x.rows(); i++) {
                for (int a = 0; a < D; a++) y.set(r * x.rows() + i, a, (float) (centroid[a] + c[a] + s * (x.get(i, a) - centroid[a])));
            }
        }
        return y;
    }

    private void check(double[] c, double s, FloatMatrix y, int checks, String what) {
        double c2 = 0;
        for (double v : c) c2 += v * v;
        double bound = c2 + (1 - s) * (1 - s) * traceS;
        double want = bound / D;
        double eps = bound * Math.sqrt(Math.log(2.0 * checks / FalseFailure.RATE) / (2.0 * P));
        double got = SlicedWasserstein.distance(x, y, P, seed);
        System.out.printf("%s: sliced W2^2 %.5f, expected %.5f +- %.5f%n", what, got * got, want, eps);
        assertEquals(want, got * got, eps, what);
    }

    @Test
    void aTranslationCostsItsLengthOverD() {
        double[] c = {1.5, -0.5, 1.0};
        check(c, 1, moved(c, 1, 1), 1, "translation");
    }

    @Test
    void aScalingCostsTheSpreadItRemoves() {
        check(new double[D], 0.4, moved(new double[D], 0.4, 1), 1, "scaling by 0.4");
    }

    @Test
    void translationAndScalingAdd() {
        double[] c = {-0.8, 0.3, 0.6};
        check(c, 1.8, moved(c, 1.8, 1), 1, "translation and scaling by 1.8");
    }

    /** Rows repeated twice: the same measure, so the same answer, through unequal sizes (n and 2n). */
    @Test
    void unequalSizesOfTheSameMeasureGiveTheSameAnswer() {
        double[] c = {1.5, -0.5, 1.0};
        check(c, 0.7, moved(c, 0.7, 2), 1, "unequal sizes");
        // Along every direction the measures agree exactly, whatever the sizes.
        assertEquals(0, SlicedWasserstein.distance(x, moved(new double[D], 1, 3), 200, seed), 1e-6);
    }

    /** Exact one-dimensional values where the quantile breakpoints coincide and where they do not. */
    @Test
    void oneDimensionalW2WalksTheMergedQuantiles() {
        // {0, 2} against {1, 1, 3, 3}: pieces of 1/4 with differences 1, 1, 1, 1.
        assertEquals(1.0, SlicedWasserstein.squaredW2(new double[] {2, 0}, new double[] {3, 1, 1, 3}), 1e-15);
        // {0, 1, 2} against {0, 3}: pieces 1/3 (0 - 0), 1/6 (1 - 0), 1/6 (1 - 3), 1/3 (2 - 3).
        assertEquals(1.0 / 6 + 4.0 / 6 + 1.0 / 3, SlicedWasserstein.squaredW2(new double[] {1, 2, 0}, new double[] {3, 0}), 1e-15);
        assertEquals(4.0, SlicedWasserstein.squaredW2(new double[] {5}, new double[] {3}), 0);
    }

    @Test
    void badArgumentsAreRejected() {
        FloatMatrix one = FloatMatrix.of(new float[][] {{1, 2, 3}});
        assertEquals(0, SlicedWasserstein.distance(one, one, 1, seed), 0, "one projection is enough");
        assertThrows(IllegalArgumentException.class, () -> SlicedWasserstein.distance(one, one, 0, seed));
        assertThrows(IllegalArgumentException.class, () -> SlicedWasserstein.distance(one, FloatMatrix.heap(0, 3), 5, seed));
        assertThrows(IllegalArgumentException.class, () -> SlicedWasserstein.distance(FloatMatrix.heap(0, 3), one, 5, seed));
        assertThrows(IllegalArgumentException.class, () -> SlicedWasserstein.distance(one, FloatMatrix.heap(1, 2), 5, seed));
        assertThrows(IllegalArgumentException.class, () -> SlicedWasserstein.distance(null, one, 5, seed));
        assertTrue(SlicedWasserstein.distance(one, FloatMatrix.of(new float[][] {{1, 2, 4}}), 1, seed) > 0);
    }
}
