package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.testing.FalseFailure;
import io.kgen.testing.Moments;
import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The reverse SDE with the empirical score on a large sample of N(mu, S), S not diagonal: the
 * output law is p^N_(t_min) up to the start (N(mean, T I) instead of p^N_T) and the step size, so
 * its mean is the data mean and its covariance is the data's (1/N), shrunk as the linear recursion
 * of {@link LinearScorePrediction} says along each eigenvector of S_N.
 *
 * <p>Why the linear recursion is enough: for the exact flow the output law is exactly p^N_(t_min)
 * whatever the data; the start mismatch enters at t = T, where p^N_T is Gaussian to O(lambda / T)
 * and the linear dynamics shrink it by ((lambda + t) / (lambda + T))^2 (0.3% here); at small t the
 * score is that of the nearest point mass, linear again. What is left is the spread of the landing
 * weights (the discrete flow does not put exactly 1/N on every data point): over 20 replays at
 * N = 2000, M = 1000, 100 steps, the z-scores (error over the Monte Carlo standard error, plug-in
 * fourth moments) had rms 1.01 (means) and 1.26 (covariances), largest 3.4. The bounds are
 * z = FalseFailure.sigmas(5) times 1.5 standard errors: at least 7 of the measured sds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReverseSdeGaussianDataTest {
    private static final int N = 2000;
    private static final int M = 1000;
    private Engine engine;
    private FloatMatrix data;
    private long seed;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        seed = TestSeeds.seed("reverse SDE on Gaussian data");
        SplittableRandom rng = new SplittableRandom(seed);
        double[] mu = {1.0, -0.5};
        double[][] l = {{1.0, 0}, {0.6, 0.6}}; // S = L L' = [[1, 0.6], [0.6, 0.72]]
        data = FloatMatrix.heap(N, 2);
        for (int i = 0; i < N; i++) {
            double z0 = rng.nextGaussian(), z1 = rng.nextGaussian();
            data.set(i, 0, (float) (mu[0] + l[0][0] * z0));
            data.set(i, 1, (float) (mu[1] + l[1][0] * z0 + l[1][1] * z1));
        }
    }

    @AfterAll
    void close() {
        engine.close();
    }

    @Test
    void samplesHaveTheDataMeanAndCovariance() {
        double[] mean = Moments.mean(data);
        double[][] s = Moments.populationCovariance(data);
        double tMax = 10 * Moments.trace(Moments.covariance(data)); // the default start time
        var run = new LinearScorePrediction.Run(tMax, 1e-4, 100, false, true);
        FloatMatrix x = ReverseSde.builder().tMin(run.tMin()).steps(run.steps()).seed(seed).build().sample(engine, data, M);
        double[][] want = predictedCovariance(s, run);
        // 2 means and 3 covariances; se from the output's own fourth moments (CLT over M samples),
        // times 1.5 for the landing weights (see the class comment).
        double z = 1.5 * FalseFailure.sigmas(5);
        double[] got = Moments.mean(x);
        double[][] c = Moments.scatter(x, mean, M);
        for (int k = 0; k < 2; k++) {
            double se = Math.sqrt(want[k][k] / M);
            assertTrue(Math.abs(got[k] - mean[k]) <= z * se, "mean " + k + ": " + got[k] + " against " + mean[k] + " +- " + z * se);
            for (int l = 0; l <= k; l++) {
                double fourth = 0;
                for (int i = 0; i < M; i++) fourth += Math.pow((x.get(i, k) - mean[k]) * (x.get(i, l) - mean[l]), 2);
                double seC = Math.sqrt((fourth / M - c[k][l] * c[k][l]) / M);
                assertTrue(Math.abs(c[k][l] - want[k][l]) <= z * seC,
                        "covariance " + k + "," + l + ": " + c[k][l] + " against " + want[k][l] + " +- " + z * seC);
            }
        }
    }

    /** Sum over the eigenvectors e of S of v(lambda) e e', v from the linear recursion (2 x 2, closed form). */
    private static double[][] predictedCovariance(double[][] s, LinearScorePrediction.Run run) {
        double a = s[0][0], b = s[0][1], d = s[1][1];
        double mid = (a + d) / 2, half = Math.sqrt((a - d) * (a - d) / 4 + b * b);
        double[][] out = new double[2][2];
        for (double lambda : new double[] {mid + half, mid - half}) {
            double[] e = Math.abs(b) > 1e-12 ? new double[] {b, lambda - a} : (Math.abs(lambda - a) < 1e-12 ? new double[] {1, 0} : new double[] {0, 1});
            double norm = Math.hypot(e[0], e[1]);
            double v = LinearScorePrediction.variance(run, lambda, 0, 1);
            for (int k = 0; k < 2; k++) for (int l = 0; l < 2; l++) out[k][l] += v * e[k] * e[l] / (norm * norm);
        }
        return out;
    }
}
