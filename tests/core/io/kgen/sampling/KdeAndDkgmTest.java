package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.SwissRoll;
import io.kgen.testing.FalseFailure;
import io.kgen.testing.TestSeeds;
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
        seed = TestSeeds.seed("KDE and DKGM");
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
        // d means and d^2 covariances, each a mean of m independent terms (CLT); the covariance's
        // se uses the Gaussian fourth moments, var(s_kl) = (S_kk S_ll + S_kl^2) / m <= 2 S_kk S_ll / m.
        double z = FalseFailure.sigmas(d + d * d);
        for (int k = 0; k < d; k++) {
            double sd = Math.sqrt(dataCov[k][k] + h * h);
            assertEquals(dataMean[k], sampleMean[k], z * sd / Math.sqrt(m), "mean " + k);
            for (int l = 0; l < d; l++) {
                double want = dataCov[k][l] + (k == l ? h * h : 0);
                double se = Math.sqrt((dataCov[k][k] + h * h) * (dataCov[l][l] + h * h) * 2.0 / m);
                assertEquals(want, sampleCov[k][l], z * se, "covariance " + k + "," + l);
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

    /**
     * Debiasing moves the blurred KDE samples back onto the data's manifold. Statistic: the mean
     * distance to the nearest data point after stage 2 over the same before (samples are paired:
     * stage 2 starts from the stage-1 draws). Theory: the time-shift denoiser with sigma = h / 2
     * leaves a blur of about h / 2, a ratio near 1/2. Measured over 20 data sets and seeds at
     * M = 2000: 0.510, sd 0.0104 (smoothed); 0.052, sd 0.001 (empirical denoiser); 0.193, sd 0.004
     * (Robbins-Monro, no noise). The bounds below are 8, 45 and 25 sd away: even with an sd 40%
     * larger than measured, a correct run fails with probability below 1e-9 (Gaussian tail).
     */
    @Test
    void debiasingSharpensKdeSamples() {
        FloatMatrix data = SwissRoll.sample(400, 0.01, seed);
        double h = 0.15;
        int m = 2000;
        long samplerSeed = seed + 1;
        Dkgm dkgm = Dkgm.builder(h).seed(samplerSeed).steps(60).build();
        double before = meanNearestDistance(dkgm.kdeOnly(engine, data, m), data);
        double after = meanNearestDistance(dkgm.sample(engine, data, m), data);
        assertTrue(after < 0.6 * before, "mean distance to the data: KDE " + before + ", debiased " + after);
        // With the empirical (memorizing) denoiser the iteration lands on the training points.
        FloatMatrix copies = Dkgm.builder(h).seed(samplerSeed).steps(60)
                .denoiser(Denoiser.kernel(new ScoreEstimator.Empirical())).build().sample(engine, data, m);
        double onData = meanNearestDistance(copies, data);
        System.out.println("mean distance to the data: KDE " + before + ", smoothed debiasing " + after
                + ", empirical debiasing " + onData);
        assertTrue(onData < 0.1 * before, "empirical denoiser: " + onData);
        FloatMatrix rm = Dkgm.builder(h).seed(samplerSeed).steps(60).robbinsMonro(0.5, 0.75).noise(0).build()
                .sample(engine, data, m);
        double rmAfter = meanNearestDistance(rm, data);
        assertTrue(rmAfter < 0.3 * before, "Robbins-Monro: KDE " + before + ", debiased " + rmAfter);
    }

    private static double meanNearestDistance(FloatMatrix samples, FloatMatrix data) {
        double[] d = NearestNeighbours.of(samples, data).first;
        double sum = 0;
        for (double v : d) sum += v;
        return sum / d.length;
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
