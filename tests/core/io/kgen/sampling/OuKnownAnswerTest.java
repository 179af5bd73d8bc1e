package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.testing.FalseFailure;
import io.kgen.testing.TestSeeds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Ornstein-Uhlenbeck reverse sampling where the answer is known (MATH.md section 8): on a point
 * mass y the empirical and time-shift scores are linear, the samples are Gaussian, and their mean
 * and variance are {@link OuLinearPrediction}'s, for the SDE, the ODE and the Tweedie step. Each
 * test also asserts that the alternative (ODE for SDE, Brownian for OU) predicts a variance outside
 * its band, so that swapping them in the code would fail it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OuKnownAnswerTest {
    private static final int M = 20_000;
    private static final double[] Y = {1.5, -2.0, 0.5}; // far from 0: a start or a mean at the data fails
    private Engine engine;
    private FloatMatrix pointMass;
    private long seed;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        pointMass = FloatMatrix.heap(1, Y.length);
        for (int k = 0; k < Y.length; k++) pointMass.set(0, k, (float) Y[k]);
        seed = TestSeeds.seed("OU reverse SDE known answers");
    }

    @AfterAll
    void close() {
        engine.close();
    }

    private FloatMatrix sample(OuLinearPrediction.Run run, ScoreEstimator score, long salt) {
        return ReverseSde.builder().process(ForwardProcess.OU).score(score).tMax(run.tMax()).tMin(run.tMin())
                .steps(run.steps()).ode(run.ode()).tweedie(run.tweedie()).seed(seed + salt).build()
                .sample(engine, pointMass, M);
    }

    /** Checks N(m(y_k), v) coordinate-wise, m and v from the recursion. */
    private void check(FloatMatrix x, OuLinearPrediction.Run run, double sigma2, String what) {
        double[] mean = new double[Y.length];
        double v = OuLinearPrediction.moments(run, 0, 0, sigma2)[1]; // the variance does not depend on mu
        for (int k = 0; k < Y.length; k++) mean[k] = OuLinearPrediction.moments(run, Y[k], 0, sigma2)[0];
        IsotropicGaussianCheck.check(x, mean, v, what);
    }

    /**
     * The start is N(0, I) whatever the data, at T = ln(100 max(1, rms)) by default. One ODE step
     * from T down to T (1 - 1e-6) moves a particle by dt |x + s| <= 1e-5 |x| (dt < 1e-5, |s| <= 2|x|
     * + 1 here): the start, to 1e-5, far inside the check's band (about 2%).
     */
    @Test
    void startIsStandardNormalAtTheDefaultT() {
        double rms = Math.sqrt(1.5 * 1.5 + 2.0 * 2.0 + 0.5 * 0.5);
        double byDefault = Math.log(100 * rms);
        FloatMatrix start = ReverseSde.builder().process(ForwardProcess.OU).tMin(byDefault * (1 - 1e-6)).steps(1)
                .ode(true).tweedie(false).seed(seed).build().sample(engine, pointMass, M);
        IsotropicGaussianCheck.check(start, new double[Y.length], 1, "OU start at the default T = " + byDefault);
    }

    @Test
    void sdeWithTheTimeShiftScoreEndsAtThePredictedGaussian() {
        double sigma = 0.5;
        var sde = new OuLinearPrediction.Run(3, 0.01, 40, false, false);
        var ode = new OuLinearPrediction.Run(3, 0.01, 40, true, false);
        double want = OuLinearPrediction.moments(sde, 0, 0, sigma * sigma)[1];
        assertFarApart(want, OuLinearPrediction.moments(ode, 0, 0, sigma * sigma)[1], "SDE against ODE");
        check(sample(sde, new ScoreEstimator.TimeShift(sigma), 2), sde, sigma * sigma, "OU time-shift SDE");
    }

    /** The ODE on the time-shift score; the Brownian ODE's variance differs (checked). */
    @Test
    void odeWithTheTimeShiftScoreEndsAtThePredictedGaussian() {
        double sigma = 0.5;
        var ode = new OuLinearPrediction.Run(3, 0.01, 40, true, false);
        var sde = new OuLinearPrediction.Run(3, 0.01, 40, false, false);
        double want = OuLinearPrediction.moments(ode, 0, 0, sigma * sigma)[1];
        assertFarApart(want, OuLinearPrediction.moments(sde, 0, 0, sigma * sigma)[1], "ODE against SDE");
        var brownian = new LinearScorePrediction.Run(3, 0.01, 40, true, false);
        assertFarApart(want, LinearScorePrediction.variance(brownian, sigma * sigma, 0, 1), "OU against Brownian");
        check(sample(ode, new ScoreEstimator.TimeShift(sigma), 3), ode, sigma * sigma, "OU time-shift ODE");
    }

    /** The Tweedie step with the time-shift score: x <- (x + h^2 s) / a shrinks and recentres. */
    @Test
    void tweedieStepWithTheTimeShiftScoreIsThePredictedOne() {
        double sigma = 0.3;
        var run = new OuLinearPrediction.Run(2, 0.1, 20, false, true);
        var without = new OuLinearPrediction.Run(2, 0.1, 20, false, false);
        double want = OuLinearPrediction.moments(run, 0, 0, sigma * sigma)[1];
        assertFarApart(want, OuLinearPrediction.moments(without, 0, 0, sigma * sigma)[1], "with against without Tweedie");
        check(sample(run, new ScoreEstimator.TimeShift(sigma), 4), run, sigma * sigma, "OU time-shift Tweedie");
    }

    /** The empirical score of a point mass: the Tweedie step (x + h^2 (a y - x) / h^2) / a lands on y. */
    @Test
    void empiricalScoreWithTweedieLandsOnThePoint() {
        var run = new OuLinearPrediction.Run(3, 0.02, 30, false, true);
        FloatMatrix landed = sample(run, new ScoreEstimator.Empirical(), 5);
        double sd = Math.sqrt(OuLinearPrediction.moments(new OuLinearPrediction.Run(3, 0.02, 30, false, false), 0, 0, 0)[1]);
        double worst = 0;
        for (long i = 0; i < M; i++) for (int k = 0; k < Y.length; k++) worst = Math.max(worst, Math.abs(landed.get(i, k) - Y[k]));
        // |y| <= 2, every |x| below |y| + z sd (z for all M d entries), a = e^-0.02 near 1: the step
        // is 7 float32 operations on such values (the query x / a, the kernel mean, the score, its
        // 1 / a, the drift's two terms, the update), each rounding by at most 2^-24 of them, 16 for margin.
        double tol = 16 * 0x1p-24 * (2 + FalseFailure.sigmas(M * Y.length) * sd);
        assertTrue(worst <= tol, "after the Tweedie step every sample is y: largest distance " + worst + " > " + tol);
    }

    /** Two predictions must differ by more than twice the check's band, or the test could not tell them apart. */
    private static void assertFarApart(double want, double alternative, String what) {
        double band = IsotropicGaussianCheck.varianceBand(M, Y.length);
        assertTrue(Math.abs(alternative / want - 1) > 2 * band,
                what + ": predictions " + want + " and " + alternative + " are within the test's resolution " + band);
    }
}
