package io.kgen.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.random.Philox;
import io.kgen.testing.TestSeeds;
import org.junit.jupiter.api.Test;

/** The nearest-neighbour KL against closed forms, on fresh Gaussian samples. */
class NearestNeighbourKlTest {
    @Test
    void gaussianSamplesAgainstGaussiansOfKnownKl() {
        long seed = TestSeeds.seed("nearest-neighbour KL");
        try (Engine engine = Engine.open(Backend.CPU)) {
            for (int d : new int[] {2, 4}) {
                double[] v = new double[d];
                for (int k = 0; k < d; k++) v[k] = Math.pow(0.5, k);
                FloatMatrix x = gaussian(8000, v, seed + d);
                // KL(q || q) = 0; KL(N(0, V) || N(0, 2V)) = (d/2)(log 2 - 1/2).
                double self = NearestNeighbourKl.toDiagonalGaussian(engine, x, v);
                double[] wider = v.clone();
                for (int k = 0; k < d; k++) wider[k] *= 2;
                double twice = NearestNeighbourKl.toDiagonalGaussian(engine, x, wider);
                // The estimator's spread at M = 8000 is about 0.01-0.02 in these dimensions.
                assertEquals(0, self, 0.06, "d = " + d + " against its own law");
                assertEquals(0.5 * d * (Math.log(2) - 0.5), twice, 0.06, "d = " + d + " against twice the variance");
            }
        }
    }

    @Test
    void tightClustersHaveALargeKlThatGrowsAsTheyTighten() {
        long seed = TestSeeds.seed("clustered KL");
        try (Engine engine = Engine.open(Backend.CPU)) {
            double[] v = {1, 1};
            FloatMatrix centres = gaussian(20, v, seed);
            double previous = Double.NaN;
            for (double width : new double[] {0.3, 0.1, 0.03}) {
                FloatMatrix x = FloatMatrix.heap(4000, 2);
                for (int i = 0; i < 4000; i++) {
                    for (int k = 0; k < 2; k++) {
                        x.set(i, k, (float) (centres.get(i % 20, k) + width * Philox.normal(seed + 1, 0, 2L * i + k)));
                    }
                }
                double kl = NearestNeighbourKl.toDiagonalGaussian(engine, x, v);
                // A third of the width removes up to d log 3 = 2.2 of entropy (all of it once the 20 bumps separate).
                assertTrue(Double.isNaN(previous) || kl > previous + 1, "width " + width + ": KL " + kl + " after " + previous);
                previous = kl;
            }
        }
    }

    @Test
    void badInputsAreNamed() {
        try (Engine engine = Engine.open(Backend.CPU)) {
            FloatMatrix two = FloatMatrix.wrap(2, 1, new float[] {1, 1});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NearestNeighbourKl.toDiagonalGaussian(engine, two, new double[] {1}));
            assertTrue(e.getMessage().contains("coincide"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> NearestNeighbourKl.toDiagonalGaussian(engine, FloatMatrix.wrap(2, 1, new float[] {0, 1}), new double[] {0}));
            assertTrue(e.getMessage().contains("variances[0]"), e.getMessage());
        }
    }

    @Test
    void logGammaAndDigammaAtTheirKnownValues() {
        assertEquals(Math.log(Math.sqrt(Math.PI)), NearestNeighbourKl.logGamma(0.5), 1e-12);
        assertEquals(Math.log(0.75 * Math.sqrt(Math.PI)), NearestNeighbourKl.logGamma(2.5), 1e-12);
        assertEquals(Math.log(24), NearestNeighbourKl.logGamma(5), 1e-12);
        assertEquals(Math.log(Math.PI), NearestNeighbourKl.logUnitBallVolume(2), 1e-12);
        assertEquals(Math.log(4 * Math.PI / 3), NearestNeighbourKl.logUnitBallVolume(3), 1e-12);
        assertEquals(1.5 - 0.5772156649015329, NearestNeighbourKl.digamma(3), 1e-12);
    }

    private static FloatMatrix gaussian(int m, double[] v, long seed) {
        FloatMatrix x = FloatMatrix.heap(m, v.length);
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < v.length; k++) x.set(i, k, (float) (Math.sqrt(v[k]) * Philox.normal(seed, 0, (long) i * v.length + k)));
        }
        return x;
    }
}
