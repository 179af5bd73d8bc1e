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
 * Reverse-time sampling where the answer is known (MATH.md section 2): on a point mass y the
 * empirical, time-shift and Monte Carlo scores are linear, the samples are Gaussian around y, and
 * their variance is {@link LinearScorePrediction}'s, for the SDE, the ODE and the Tweedie step.
 * Each test also asserts that the alternatives (ODE for SDE, one draw for R) predict a variance
 * outside its band, so that swapping them in the code would fail it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReverseSdeKnownAnswerTest {
    private static final int M = 20_000;
    private static final double[] Y = {1.5, -2.0, 0.5}; // nonzero mean: a sampler centred on 0 fails
    private Engine engine;
    private FloatMatrix pointMass;
    private long seed;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        pointMass = FloatMatrix.heap(1, Y.length);
        for (int k = 0; k < Y.length; k++) pointMass.set(0, k, (float) Y[k]);
        seed = TestSeeds.seed("reverse SDE known answers");
    }

    @AfterAll
    void close() {
        engine.close();
    }

    private FloatMatrix sample(LinearScorePrediction.Run run, ScoreEstimator score, long salt) {
        return ReverseSde.builder().score(score).tMax(run.tMax()).tMin(run.tMin()).steps(run.steps()).ode(run.ode())
                .tweedie(run.tweedie()).seed(seed + salt).build().sample(engine, pointMass, M);
    }

    /**
     * The start is N(data mean, T I), T = 10 trace(Cov(data)) by default. One ODE step from T down
     * to T (1 - 1e-6) moves a particle by (dt / 2) |s| <= 5e-7 |x - mean|: the start, to 1e-6.
     */
    @Test
    void startIsNormalAroundTheDataMeanWithVarianceT() {
        FloatMatrix data = FloatMatrix.of(new float[][] {{1, 2, -1}, {3, 0, 0}, {2, 5, 1}, {-1, 1, 2}, {0, 2, 3}});
        double[] mean = Moments.mean(data);
        double byDefault = 10 * Moments.trace(Moments.covariance(data));
        FloatMatrix start = ReverseSde.builder().tMin(byDefault * (1 - 1e-6)).steps(1).ode(true).tweedie(false)
                .seed(seed).build().sample(engine, data, M);
        IsotropicGaussianCheck.check(start, mean, byDefault, "start with the default T = " + byDefault);
        double chosen = 2.5;
        FloatMatrix explicit = ReverseSde.builder().tMax(chosen).tMin(chosen * (1 - 1e-6)).steps(1).ode(true)
                .tweedie(false).seed(seed + 1).build().sample(engine, data, M);
        IsotropicGaussianCheck.check(explicit, mean, chosen, "start with T = " + chosen);
    }

    /** The time-shift score on a point mass is the score of N(y, sigma^2 I): the SDE's law is known. */
    @Test
    void sdeWithTheTimeShiftScoreEndsAtThePredictedGaussian() {
        double sigma = 1;
        var sde = new LinearScorePrediction.Run(1, 0.01, 40, false, false);
        var ode = new LinearScorePrediction.Run(1, 0.01, 40, true, false);
        double want = LinearScorePrediction.variance(sde, sigma * sigma, 0, 1);
        assertFarApart(want, LinearScorePrediction.variance(ode, sigma * sigma, 0, 1), "SDE against ODE");
        IsotropicGaussianCheck.check(sample(sde, new ScoreEstimator.TimeShift(sigma), 2), Y, want, "time-shift SDE");
    }

    @Test
    void odeWithTheTimeShiftScoreEndsAtThePredictedGaussian() {
        double sigma = 1;
        var ode = new LinearScorePrediction.Run(1, 0.01, 40, true, false);
        var sde = new LinearScorePrediction.Run(1, 0.01, 40, false, false);
        double want = LinearScorePrediction.variance(ode, sigma * sigma, 0, 1);
        assertFarApart(want, LinearScorePrediction.variance(sde, sigma * sigma, 0, 1), "ODE against SDE");
        IsotropicGaussianCheck.check(sample(ode, new ScoreEstimator.TimeShift(sigma), 3), Y, want, "time-shift ODE");
    }

    /** The empirical score of a point mass: the SDE ends near y, and the Tweedie step lands on y. */
    @Test
    void empiricalScoreEndsAtItsVarianceAndTweedieLandsOnThePoint() {
        var run = new LinearScorePrediction.Run(4, 0.04, 30, false, false);
        double want = LinearScorePrediction.variance(run, 0, 0, 1);
        IsotropicGaussianCheck.check(sample(run, new ScoreEstimator.Empirical(), 4), Y, want, "empirical SDE");
        var withTweedie = new LinearScorePrediction.Run(4, 0.04, 30, false, true);
        FloatMatrix landed = sample(withTweedie, new ScoreEstimator.Empirical(), 5);
        // x + t_min (y - x) / t_min = y, up to float32 rounding of x, the bandwidth and the update.
        double worst = 0;
        for (long i = 0; i < M; i++) for (int k = 0; k < Y.length; k++) worst = Math.max(worst, Math.abs(landed.get(i, k) - Y[k]));
        // |y| <= 2 and every |x - y| below z sd (z for all M d entries): 8 float32 roundings of that.
        double tol = 8 * 0x1p-24 * (2 + FalseFailure.sigmas(M * Y.length) * Math.sqrt(want));
        assertTrue(worst <= tol, "after the Tweedie step every sample is y: largest distance " + worst + " > " + tol);
    }

    /** The time-shift Tweedie step multiplies u by sigma^2 / (t_min + sigma^2). */
    @Test
    void tweedieStepWithTheTimeShiftScoreShrinksByItsFactor() {
        double sigma = 0.3;
        var run = new LinearScorePrediction.Run(1, 0.25, 20, false, true);
        double want = LinearScorePrediction.variance(run, sigma * sigma, 0, 1);
        var without = new LinearScorePrediction.Run(1, 0.25, 20, false, false);
        assertFarApart(want, LinearScorePrediction.variance(without, sigma * sigma, 0, 1), "with against without Tweedie");
        IsotropicGaussianCheck.check(sample(run, new ScoreEstimator.TimeShift(sigma), 6), Y, want, "time-shift Tweedie");
    }

    /**
     * The Monte Carlo score averages R draws: on a point mass its noise is sigma xi_bar / t with
     * var(xi_bar) = 1 / R, a large share of the final variance with these settings.
     */
    @Test
    void monteCarloSdeEndsAtThePredictedGaussian() {
        double sigma = 0.5;
        int draws = 4;
        var run = new LinearScorePrediction.Run(1, 0.01, 25, false, false);
        double want = LinearScorePrediction.variance(run, 0, sigma, draws);
        assertFarApart(want, LinearScorePrediction.variance(run, 0, sigma, 1), "R draws against one");
        assertFarApart(want, LinearScorePrediction.variance(run, 0, 0, 1), "against no smoothing");
        IsotropicGaussianCheck.check(sample(run, new ScoreEstimator.MonteCarlo(sigma, draws), 7), Y, want, "Monte Carlo SDE");
    }

    /** Two predictions must differ by more than twice the check's band, or the test could not tell them apart. */
    private static void assertFarApart(double want, double alternative, String what) {
        double band = IsotropicGaussianCheck.varianceBand(M, Y.length);
        assertTrue(Math.abs(alternative / want - 1) > 2 * band,
                what + ": predictions " + want + " and " + alternative + " are within the test's resolution " + band);
    }
}
