package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.testing.FalseFailure;
import io.kgen.testing.Moments;
import io.kgen.testing.TestSeeds;
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
 *
 * <p>The Ornstein-Uhlenbeck sampler (MATH.md section 8), SDE and ODE, on the same data, started
 * from N(0, I) at its default T: mean and covariance from {@link OuLinearPrediction}'s recursion
 * along each eigenvector. The argument carries over, since OU is Brownian motion at time e^2t - 1
 * scaled by e^-t, and so does the bound. Unlike the Brownian sampler, which starts at the data mean,
 * OU starts at 0 and must carry the mean (1, -0.5) over itself: a sampler with e^-t wrong, or
 * without the f x drift, misses it by many standard errors.
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
        data = CorrelatedGaussian.sample(N, seed);
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
        assertMoments(x, mean, predictedCovariance(s, run), "Brownian SDE ");
    }

    /**
     * 2 means and 3 covariances against the predicted ones; se from the output's own fourth
     * moments (CLT over M samples), times 1.5 for the landing weights (see the class comment).
     */
    private static void assertMoments(FloatMatrix x, double[] mean, double[][] want, String what) {
        double z = 1.5 * FalseFailure.sigmas(5);
        double[] got = Moments.mean(x);
        double[][] c = Moments.scatter(x, mean, M);
        for (int k = 0; k < 2; k++) {
            double se = Math.sqrt(want[k][k] / M);
            assertTrue(Math.abs(got[k] - mean[k]) <= z * se,
                    what + "mean " + k + ": " + got[k] + " against " + mean[k] + " +- " + z * se);
            for (int l = 0; l <= k; l++) {
                double fourth = 0;
                for (int i = 0; i < M; i++) fourth += Math.pow((x.get(i, k) - mean[k]) * (x.get(i, l) - mean[l]), 2);
                double seC = Math.sqrt((fourth / M - c[k][l] * c[k][l]) / M);
                assertTrue(Math.abs(c[k][l] - want[k][l]) <= z * seC,
                        what + "covariance " + k + "," + l + ": " + c[k][l] + " against " + want[k][l] + " +- " + z * seC);
            }
        }
    }

    /** Sum over the eigenvectors e of S of v(lambda) e e', v from the linear recursion. */
    private static double[][] predictedCovariance(double[][] s, LinearScorePrediction.Run run) {
        double[][] out = new double[2][2];
        for (CorrelatedGaussian.Eigen p : CorrelatedGaussian.eigen(s)) {
            double v = LinearScorePrediction.variance(run, p.lambda(), 0, 1);
            for (int k = 0; k < 2; k++) for (int l = 0; l < 2; l++) out[k][l] += v * p.e()[k] * p.e()[l];
        }
        return out;
    }

    @Test
    void ouSamplesHaveTheDataMeanAndCovariance() {
        checkOu(false);
    }

    @Test
    void ouProbabilityFlowOdeSamplesHaveTheDataMeanAndCovariance() {
        checkOu(true);
    }

    private void checkOu(boolean ode) {
        double[] mean = Moments.mean(data);
        double[][] s = Moments.populationCovariance(data);
        double rms = Math.sqrt(mean[0] * mean[0] + mean[1] * mean[1] + Moments.trace(Moments.covariance(data)));
        double tMax = Math.log(100 * Math.max(1, rms)); // the default start time
        double tMin = 0.5 * Math.log1p(1e-4); // Brownian time 1e-4, as the Brownian test
        var run = new OuLinearPrediction.Run(tMax, tMin, 100, ode, true);
        FloatMatrix x = ReverseSde.builder().process(ForwardProcess.OU).tMin(tMin).steps(run.steps()).ode(ode)
                .seed(seed).build().sample(engine, data, M);
        double[] wantMean = new double[2];
        double[][] want = new double[2][2];
        predictOu(s, mean, run, wantMean, want);
        assertMoments(x, wantMean, want, ode ? "OU ODE " : "OU SDE ");
    }

    /** Along each eigenvector e of S: mean sum m(e.mu, lambda) e, covariance sum v e e'. */
    private static void predictOu(double[][] s, double[] mu, OuLinearPrediction.Run run, double[] mean, double[][] cov) {
        for (CorrelatedGaussian.Eigen p : CorrelatedGaussian.eigen(s)) {
            double[] e = p.e();
            double[] mv = OuLinearPrediction.moments(run, e[0] * mu[0] + e[1] * mu[1], p.lambda(), 0);
            for (int k = 0; k < 2; k++) {
                mean[k] += mv[0] * e[k];
                for (int l = 0; l < 2; l++) cov[k][l] += mv[1] * e[k] * e[l];
            }
        }
    }
}
