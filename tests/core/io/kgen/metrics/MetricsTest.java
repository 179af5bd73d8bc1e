package io.kgen.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every metric against a direct float64 implementation on small random inputs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsTest {
    private Engine engine;
    private SplittableRandom rng;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        rng = TestSeeds.random("metrics");
    }

    @AfterAll
    void close() {
        engine.close();
    }

    private FloatMatrix gaussian(int n, int d, double shift) {
        FloatMatrix m = FloatMatrix.heap(n, d);
        for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) m.set(i, k, (float) (rng.nextGaussian() + shift));
        return m;
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) s += ((double) a[k] - b[k]) * ((double) a[k] - b[k]);
        return Math.sqrt(s);
    }

    @Test
    void memorizationRatioCountsNearCopies() {
        FloatMatrix train = gaussian(53, 3, 0);
        FloatMatrix samples = gaussian(41, 3, 0);
        for (int i = 0; i < 17; i++) { // 17 planted near-copies
            float[] t = train.row(i * 3);
            for (int k = 0; k < 3; k++) samples.set(i, k, t[k] + 1e-3f);
        }
        int expected = 0;
        for (int i = 0; i < 41; i++) {
            double d1 = Double.MAX_VALUE, d2 = Double.MAX_VALUE;
            for (int j = 0; j < 53; j++) {
                double r = distance(samples.row(i), train.row(j));
                if (r < d1) { d2 = d1; d1 = r; } else if (r < d2) { d2 = r; }
            }
            if (d1 / d2 < 1.0 / 3) expected++;
        }
        assertTrue(expected >= 17);
        assertEquals(expected / 41.0, Metrics.memorizationRatio(engine, samples, train), 1e-12);
        double[] nearest = Metrics.nearestDistances(engine, samples, train);
        assertEquals(1e-3 * Math.sqrt(3), nearest[0], 1e-5);
    }

    @Test
    void mmdMatchesTheDirectSum() {
        FloatMatrix x = gaussian(37, 2, 0);
        FloatMatrix y = gaussian(29, 2, 2.0); // far enough apart that the unbiased estimate is positive (MMD^2 about 0.38, noise about 0.05)
        double h = 0.8;
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < 37; i++) for (int j = 0; j < 37; j++) if (i != j) xx += k(x.row(i), x.row(j), h);
        for (int i = 0; i < 29; i++) for (int j = 0; j < 29; j++) if (i != j) yy += k(y.row(i), y.row(j), h);
        for (int i = 0; i < 37; i++) for (int j = 0; j < 29; j++) xy += k(x.row(i), y.row(j), h);
        double want = xx / (37 * 36) + yy / (29 * 28) - 2 * xy / (37 * 29);
        assertEquals(want, Metrics.mmd2(engine, x, y, h), 1e-6);
        assertTrue(want > 0, "shifted sets differ");
    }

    private static double k(float[] a, float[] b, double h) {
        double r = distance(a, b);
        return Math.exp(-r * r / (2 * h * h));
    }

    @Test
    void energyDistanceMatchesTheDirectSum() {
        FloatMatrix x = gaussian(31, 4, 0);
        FloatMatrix y = gaussian(43, 4, 0.3);
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < 31; i++) for (int j = 0; j < 31; j++) if (i != j) xx += distance(x.row(i), x.row(j));
        for (int i = 0; i < 43; i++) for (int j = 0; j < 43; j++) if (i != j) yy += distance(y.row(i), y.row(j));
        for (int i = 0; i < 31; i++) for (int j = 0; j < 43; j++) xy += distance(x.row(i), y.row(j));
        double want = 2 * xy / (31 * 43) - xx / (31 * 30) - yy / (43 * 42);
        assertEquals(want, Metrics.energyDistance(engine, x, y), 1e-5 * (xy / (31 * 43)));
    }

    @Test
    void slicedWassersteinIsExactInOneDimension() {
        // Equal sizes: W2^2 is the mean squared difference of the sorted values.
        FloatMatrix a = gaussian(50, 1, 0);
        FloatMatrix b = gaussian(50, 1, 2);
        double[] sa = new double[50], sb = new double[50];
        for (int i = 0; i < 50; i++) {
            sa[i] = a.get(i, 0);
            sb[i] = b.get(i, 0);
        }
        java.util.Arrays.sort(sa);
        java.util.Arrays.sort(sb);
        double w2 = 0;
        for (int i = 0; i < 50; i++) w2 += (sa[i] - sb[i]) * (sa[i] - sb[i]) / 50;
        // In 1-d every direction is +-1, so the sliced distance is W2 itself.
        assertEquals(Math.sqrt(w2), SlicedWasserstein.distance(a, b, 3, 1), 1e-9);
        // Different sizes: {0, 1} against {0, 0.5, 1}: quantile pieces 1/3, 1/6, 1/6, 1/3.
        double exact = (1.0 / 6) * 0.25 + (1.0 / 6) * 0.25;
        assertEquals(exact, SlicedWasserstein.squaredW2(new double[] {0, 1}, new double[] {0, 0.5, 1}), 1e-12);
        assertEquals(0, SlicedWasserstein.distance(a, a, 5, 2), 1e-12);
    }

    @Test
    void gaussianKlHasItsClosedForm() {
        double want = Math.log(2 / 1.5) + (1.5 * 1.5 + 0.25) / (2 * 4) - 0.5;
        assertEquals(want, GaussianKl.between(new double[] {0.5}, new double[][] {{2.25}}, new double[] {0}, new double[][] {{4}}), 1e-12);
        double[][] s = {{2, 0.3}, {0.3, 1}};
        assertEquals(0, GaussianKl.between(new double[] {1, 2}, s, new double[] {1, 2}, s), 1e-12);
        FloatMatrix samples = gaussian(20_000, 2, 0);
        double kl = GaussianKl.fitted(samples, new double[2], new double[][] {{1, 0}, {0, 1}});
        assertTrue(kl >= 0 && kl < 1e-3, "KL of 20000 standard normals to N(0, I): " + kl);
        assertThrows(IllegalArgumentException.class, () -> GaussianKl.between(new double[] {0}, new double[][] {{-1}}, new double[] {0}, new double[][] {{1}}));
    }

    @Test
    void effectiveSizeInvertsTheErrorCurve() {
        EffectiveSize.Estimate e = EffectiveSize.estimate(1.0 / 50, n -> 1.0 / n, 10, 1000, 9);
        assertEquals(50, e.size(), 1e-6);
        assertFalse(e.belowGrid() || e.aboveGrid());
        assertTrue(EffectiveSize.estimate(1.0 / 5000, n -> 1.0 / n, 10, 1000, 9).aboveGrid());
        assertTrue(EffectiveSize.estimate(1.0, n -> 1.0 / n, 10, 1000, 9).belowGrid());
    }
}
