package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.testing.DriftingOracle;
import io.kgen.testing.Moments;
import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bandwidth rules (MATH.md section 4) in d = 3, where (4 / (d + 2))^(1 / (d + 4)) is not 1:
 * Scott sigma n^(-1/(d+4)), Silverman sigma (4/(d+2))^(1/(d+4)) n^(-1/(d+4)), sigma^2 the mean
 * per-coordinate variance (n - 1); and the leave-one-out likelihood: its candidate grid and its
 * mean log-likelihood against a float64 sum (CPU accuracy 1e-6 relative, CpuEngineTest).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BandwidthRuleTest {
    private Engine engine;
    private FloatMatrix data;
    private double sigma;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        SplittableRandom rng = TestSeeds.random("bandwidth rules");
        data = FloatMatrix.heap(60, 3);
        for (int i = 0; i < 60; i++) for (int k = 0; k < 3; k++) data.set(i, k, (float) ((k + 1) * rng.nextGaussian() + k));
        sigma = Math.sqrt(Moments.trace(Moments.covariance(data)) / 3);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    @Test
    void scottAndSilvermanFollowTheirFormulasInThreeDimensions() {
        assertEquals(sigma, BandwidthRule.spread(data), 1e-12 * sigma);
        assertEquals(sigma * Math.pow(60, -1.0 / 7), BandwidthRule.scott(data), 1e-12 * sigma);
        assertEquals(sigma * Math.pow(4.0 / 5, 1.0 / 7) * Math.pow(60, -1.0 / 7), BandwidthRule.silverman(data), 1e-12 * sigma);
        assertEquals(0, BandwidthRule.spread(FloatMatrix.of(new float[][] {{1, 2, 3}})), 0, "one row has no spread");
    }

    /** Mean over i of log((1/(n-1)) sum_{j != i} N(y_i; y_j, h^2 I)). */
    @Test
    void meanLogLikelihoodIsTheLeaveOneOutLogDensity() {
        double h = 0.8;
        int n = (int) data.rows(), d = 3;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double[] a = new double[n];
            for (int j = 0; j < n; j++) {
                double r2 = 0;
                for (int k = 0; k < d; k++) r2 += Math.pow((double) data.get(i, k) - data.get(j, k), 2);
                a[j] = i == j ? Double.NEGATIVE_INFINITY : -r2 / (2 * h * h);
            }
            sum += DriftingOracle.logSumExp(a) - Math.log(n - 1) - 0.5 * d * Math.log(2 * Math.PI * h * h);
        }
        double want = sum / n;
        assertEquals(want, BandwidthRule.meanLogLikelihood(engine, data, h), 1e-6 * Math.abs(want));
    }

    /** Candidates are geometric from Silverman / 10 to 3 Silverman; the one with the largest score wins. */
    @Test
    void leaveOneOutSearchesItsGrid() {
        double center = BandwidthRule.silverman(data);
        BandwidthRule.LikelihoodChoice choice = BandwidthRule.leaveOneOut(engine, data, 5);
        double best = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < 5; c++) {
            assertEquals(center * 0.1 * Math.pow(30, c / 4.0), choice.candidates()[c], 1e-12 * center, "candidate " + c);
            assertEquals(BandwidthRule.meanLogLikelihood(engine, data, choice.candidates()[c]), choice.meanLogLikelihood()[c], 1e-9);
            best = Math.max(best, choice.meanLogLikelihood()[c]);
        }
        for (int c = 0; c < 5; c++) if (choice.meanLogLikelihood()[c] == best) assertEquals(choice.candidates()[c], choice.bandwidth());
        // One candidate: the middle of the range, sqrt(30) / 10 of Silverman's.
        assertEquals(center * 0.1 * Math.sqrt(30), BandwidthRule.leaveOneOut(engine, data, 1).bandwidth(), 1e-12 * center);
        FloatMatrix two = FloatMatrix.of(new float[][] {{0, 0, 0}, {1, 1, 1}});
        assertEquals(2, BandwidthRule.leaveOneOut(engine, two, 2).candidates().length, "two rows are enough");
        assertThrows(IllegalArgumentException.class, () -> BandwidthRule.leaveOneOut(engine, FloatMatrix.of(new float[][] {{1, 1, 1}}), 3));
        assertThrows(IllegalArgumentException.class, () -> BandwidthRule.leaveOneOut(engine, data, 0));
        assertThrows(IllegalArgumentException.class, () -> BandwidthRule.leaveOneOut(engine, FloatMatrix.of(new float[][] {{1, 1, 1}, {1, 1, 1}}), 3));
    }
}
