package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.SwissRoll;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** KDE sampling has the moments it should; bandwidth rules and the debiasing stage behave. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KdeAndDkgmTest {
    private Engine engine;
    private long seed;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        seed = System.nanoTime();
        System.out.println("[seed] KDE and DKGM: " + seed);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    /** KDE samples: mean = data mean, covariance = data covariance (1/n) + h^2 I. */
    @Test
    void kdeSamplesHaveTheDataMeanAndTheBlurredCovariance() {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 300, d = 3, m = 40_000;
        FloatMatrix data = FloatMatrix.heap(n, d);
        for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) data.set(i, k, (float) ((k + 1) * rng.nextGaussian() + k));
        double h = 0.7;
        FloatMatrix samples = new KdeSampler(h, seed).sample(engine, data, m);
        double[][] dataCov = covariance(data, true);
        double[][] sampleCov = covariance(samples, false);
        double[] dataMean = mean(data);
        double[] sampleMean = mean(samples);
        for (int k = 0; k < d; k++) {
            double sd = Math.sqrt(dataCov[k][k] + h * h);
            assertEquals(dataMean[k], sampleMean[k], 6 * sd / Math.sqrt(m), "mean " + k);
            for (int l = 0; l < d; l++) {
                double want = dataCov[k][l] + (k == l ? h * h : 0);
                double se = Math.sqrt((dataCov[k][k] + h * h) * (dataCov[l][l] + h * h) * 2.0 / m);
                assertEquals(want, sampleCov[k][l], 6 * se, "covariance " + k + "," + l);
            }
        }
    }

    @Test
    void bandwidthRulesFollowTheirFormulas() {
        FloatMatrix data = FloatMatrix.of(new float[][] {{-1, 0}, {1, 0}, {0, -1}, {0, 1}});
        double sigma = Math.sqrt((2.0 / 3 + 2.0 / 3) / 2); // per-coordinate variance 2/3 with n - 1
        assertEquals(sigma * Math.pow(4, -1.0 / 6), BandwidthRule.scott(data), 1e-12);
        assertEquals(sigma * Math.pow(4.0 / 4, 1.0 / 6) * Math.pow(4, -1.0 / 6), BandwidthRule.silverman(data), 1e-12);
    }

    /** On Gaussian data the likelihood choice lands near Silverman's rule (optimal for a Gaussian). */
    @Test
    void leaveOneOutLikelihoodChoosesAnInteriorBandwidth() {
        SplittableRandom rng = new SplittableRandom(seed + 1);
        FloatMatrix data = FloatMatrix.heap(500, 2);
        for (int i = 0; i < 500; i++) for (int k = 0; k < 2; k++) data.set(i, k, (float) rng.nextGaussian());
        BandwidthRule.LikelihoodChoice choice = BandwidthRule.leaveOneOut(engine, data, 15);
        double silverman = BandwidthRule.silverman(data);
        assertTrue(choice.bandwidth() > silverman / 3 && choice.bandwidth() < silverman * 2,
                "chose " + choice.bandwidth() + " against Silverman's " + silverman);
        assertTrue(choice.bandwidth() > choice.candidates()[0]
                && choice.bandwidth() < choice.candidates()[choice.candidates().length - 1], "the optimum is interior");
    }

    /** Debiasing moves the blurred KDE samples back onto the data's manifold. */
    @Test
    void debiasingSharpensKdeSamples() {
        FloatMatrix data = SwissRoll.sample(400, 0.01, seed);
        double h = 0.15;
        Dkgm dkgm = Dkgm.builder(h).seed(3).steps(60).build();
        FloatMatrix blurred = dkgm.kdeOnly(engine, data, 300);
        FloatMatrix sharp = dkgm.sample(engine, data, 300);
        double before = NearestNeighbours.of(blurred, data).medianDistance();
        double after = NearestNeighbours.of(sharp, data).medianDistance();
        assertTrue(after < 0.6 * before, "median distance to the data: KDE " + before + ", debiased " + after);
        // With the empirical (memorizing) denoiser the iteration lands on the training points.
        FloatMatrix copies = Dkgm.builder(h).seed(3).steps(60).denoiser(Denoiser.kernel(new ScoreEstimator.Empirical()))
                .build().sample(engine, data, 300);
        double onData = NearestNeighbours.of(copies, data).medianDistance();
        System.out.println("median distance to the data: KDE " + before + ", smoothed debiasing " + after
                + ", empirical debiasing " + onData);
        assertTrue(onData < before / 10, "empirical denoiser: " + onData);
        FloatMatrix rm = Dkgm.builder(h).seed(3).steps(60).robbinsMonro(0.5, 0.75).noise(0).build().sample(engine, data, 300);
        double rmAfter = NearestNeighbours.of(rm, data).medianDistance();
        assertTrue(rmAfter < before, "Robbins-Monro: KDE " + before + ", debiased " + rmAfter);
        assertArrayEquals(sharp.toArray(), Dkgm.builder(h).seed(3).steps(60).build().sample(engine, data, 300).toArray());
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new KdeSampler(0, 1));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(-1));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(1).robbinsMonro(0.5, 0.4));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(1).noise(Double.NaN));
    }

    private static double[] mean(FloatMatrix m) {
        double[] mean = new double[m.cols()];
        for (long i = 0; i < m.rows(); i++) for (int k = 0; k < m.cols(); k++) mean[k] += m.get(i, k);
        for (int k = 0; k < m.cols(); k++) mean[k] /= m.rows();
        return mean;
    }

    /** Covariance with 1/n (population: what KDE samples reproduce) or 1/(n-1). */
    private static double[][] covariance(FloatMatrix m, boolean population) {
        double[] mu = mean(m);
        int d = m.cols();
        double[][] c = new double[d][d];
        for (long i = 0; i < m.rows(); i++) {
            for (int k = 0; k < d; k++) for (int l = 0; l < d; l++) c[k][l] += (m.get(i, k) - mu[k]) * (m.get(i, l) - mu[l]);
        }
        double div = population ? m.rows() : m.rows() - 1;
        for (double[] row : c) for (int l = 0; l < d; l++) row[l] /= div;
        return c;
    }
}
