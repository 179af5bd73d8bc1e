package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.testing.DriftingOracle;
import io.kgen.testing.FalseFailure;
import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The score estimators and the kernel denoiser against float64 values from MATH.md sections 2,
 * 3, 8 and 9 (the OU scores: those of the mixture of N(a y_j, h^2 I); the space-time score against
 * the Monte Carlo one and its law of times): s_t(x) = (m_t(x) - x) / t with m_t the Gaussian softmax mean at h^2 = t; the time shift
 * is s at t + sigma^2; the Monte Carlo estimator on a point mass y is -(x - y + sigma xi_bar) / t
 * with xi_bar the mean of R standard normals, so t s + (x - y) ~ N(0, sigma^2 / R) exactly.
 *
 * <p>Tolerance of the deterministic ones: the CPU engine's means are float64 sums rounded to
 * float32 (relative 1e-6 of the data's size, CpuEngineTest), divided by t: 1e-6 (max|y| + max|x|) / t.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScoreEstimatorTest {
    private Engine engine;
    private FloatMatrix data;
    private FloatMatrix queries;
    private SplittableRandom rng;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        rng = TestSeeds.random("score estimators");
        data = gaussian(29, 3, 1.0);
        queries = gaussian(17, 3, 1.5);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    private FloatMatrix gaussian(int n, int d, double scale) {
        FloatMatrix m = FloatMatrix.heap(n, d);
        for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) m.set(i, k, (float) (scale * rng.nextGaussian() + 0.3 * k));
        return m;
    }

    private FloatMatrix score(ScoreEstimator estimator, FloatMatrix y, FloatMatrix x, double t, long seed) {
        return score(estimator, ForwardProcess.BROWNIAN, y, x, t, seed);
    }

    private FloatMatrix score(ScoreEstimator estimator, ForwardProcess process, FloatMatrix y, FloatMatrix x, double t,
            long seed) {
        try (Workspace work = new Workspace(engine); DeviceMatrix dy = engine.upload(y); DeviceMatrix dx = engine.upload(x);
                DeviceMatrix out = engine.allocate(x.rows(), x.cols())) {
            estimator.score(work, dy, dx, process, t, seed, 0, out);
            return out.download();
        }
    }

    /** (m_t(x) - x) / t in float64, the softmax over all data of -|x - y_j|^2 / (2 t). */
    private static double[][] empiricalScore(FloatMatrix y, FloatMatrix x, double t) {
        return mixtureScore(y, x, 1, t);
    }

    /**
     * The score (a m(x) - x) / h2 of the mixture of N(a y_j, h2 I) in float64, m under the logits
     * -|x - a y_j|^2 / (2 h2), written directly (the data scaled, not the queries as kgen does).
     */
    private static double[][] mixtureScore(FloatMatrix y, FloatMatrix x, double a, double h2) {
        int m = (int) x.rows(), n = (int) y.rows(), d = x.cols();
        double[][] s = new double[m][d];
        for (int i = 0; i < m; i++) {
            double[] logit = new double[n];
            for (int j = 0; j < n; j++) {
                double r2 = 0;
                for (int k = 0; k < d; k++) r2 += Math.pow((double) x.get(i, k) - a * y.get(j, k), 2);
                logit[j] = -r2 / (2 * h2);
            }
            double lse = DriftingOracle.logSumExp(logit);
            for (int j = 0; j < n; j++) {
                double p = Math.exp(logit[j] - lse);
                for (int k = 0; k < d; k++) s[i][k] += p * (a * y.get(j, k) - x.get(i, k)) / h2;
            }
        }
        return s;
    }

    private double tolerance(double t) {
        return 1e-6 * (maxAbs(data) + maxAbs(queries)) / t;
    }

    @Test
    void empiricalScoreIsTheBlurredEmpiricalMeasuresScore() {
        double t = 0.4;
        assertClose(empiricalScore(data, queries, t), score(new ScoreEstimator.Empirical(), data, queries, t, 0), tolerance(t), "empirical");
    }

    @Test
    void timeShiftScoreIsTheEmpiricalScoreAtTPlusSigmaSquared() {
        double t = 0.2, sigma = 0.5;
        assertClose(empiricalScore(data, queries, t + sigma * sigma),
                score(new ScoreEstimator.TimeShift(sigma), data, queries, t, 0), tolerance(t + sigma * sigma), "time shift");
    }

    @Test
    void kernelDenoiserIsTweediesFormula() {
        double t = 0.3;
        double[][] s = empiricalScore(data, queries, t);
        double[][] want = new double[s.length][];
        for (int i = 0; i < s.length; i++) {
            want[i] = new double[s[i].length];
            for (int k = 0; k < s[i].length; k++) want[i][k] = queries.get(i, k) + t * s[i][k];
        }
        FloatMatrix got;
        try (Workspace work = new Workspace(engine); DeviceMatrix dy = engine.upload(data); DeviceMatrix dx = engine.upload(queries);
                DeviceMatrix out = engine.allocate(queries.rows(), queries.cols())) {
            Denoiser.kernel(new ScoreEstimator.Empirical()).denoise(work, dy, dx, t, 0, 0, out);
            got = out.download();
        }
        assertClose(want, got, t * tolerance(t) + 0x1p-22 * maxAbs(queries), "kernel denoiser");
    }

    @Test
    void monteCarloScoreAveragesItsDraws() {
        FloatMatrix y = FloatMatrix.of(new float[][] {{0.7f, -1.2f, 2.0f}});
        int rows = 5000;
        FloatMatrix x = FloatMatrix.heap(rows, 3);
        for (int i = 0; i < rows; i++) for (int k = 0; k < 3; k++) x.set(i, k, (float) (y.get(0, k) + 0.5 * rng.nextGaussian()));
        double t = 0.5, sigma = 0.4;
        long seed = rng.nextLong();
        for (int draws : new int[] {1, 4}) {
            FloatMatrix s = score(new ScoreEstimator.MonteCarlo(sigma, draws), y, x, t, seed);
            FloatMatrix noise = FloatMatrix.heap(rows, 3); // -sigma xi_bar = t s + (x - y)
            for (int i = 0; i < rows; i++) for (int k = 0; k < 3; k++) noise.set(i, k, (float) (t * s.get(i, k) + x.get(i, k) - y.get(0, k)));
            IsotropicGaussianCheck.check(noise, new double[3], sigma * sigma / draws, "Monte Carlo noise, R = " + draws);
        }
        // The band is far narrower than the factor 4 between R = 1 and R = 4.
        assertTrue(IsotropicGaussianCheck.varianceBand(rows, 3) < 0.5);
    }

    /**
     * The OU scores' tolerance: the kernel mean at the query x / a to 1e-6 of the sizes, over
     * (h/a)^2, times 1 / a, and 4 float32 roundings of x / a and of the result on top.
     */
    private double ouTolerance(double a, double h2) {
        double sizes = maxAbs(data) + maxAbs(queries) / a;
        return 1e-6 * sizes / (a * h2 / (a * a)) + 4 * 0x1p-24 * sizes / (h2 / a);
    }

    @Test
    void ouEmpiricalScoreIsTheScoreOfTheScaledMixture() {
        for (double t : new double[] {0.05, 0.7, 2.0}) {
            double a = Math.exp(-t), h2 = 1 - Math.exp(-2 * t);
            assertClose(mixtureScore(data, queries, a, h2), score(new ScoreEstimator.Empirical(), ForwardProcess.OU, data, queries,
                    t, 0), ouTolerance(a, h2), "OU empirical at t = " + t);
        }
    }

    @Test
    void ouTimeShiftScoreAddsSigmaSquaredToTheVariance() {
        double t = 0.4, sigma = 0.5;
        double a = Math.exp(-t), h2 = 1 - Math.exp(-2 * t) + sigma * sigma;
        assertClose(mixtureScore(data, queries, a, h2), score(new ScoreEstimator.TimeShift(sigma), ForwardProcess.OU, data,
                queries, t, 0), ouTolerance(a, h2), "OU time shift");
    }

    /**
     * With window 1 every draw is at t itself: the space-time score is the Monte Carlo score with the
     * same spatial draws (same streams), through per-query bandwidths and row scales instead of
     * common ones: equal to float32 rounding of the score (a few ulps of its largest entry).
     */
    @Test
    void spaceTimeWithWindowOneIsTheMonteCarloScore() {
        long seed = rng.nextLong();
        for (ForwardProcess process : ForwardProcess.values()) {
            double t = 0.3;
            FloatMatrix mc = score(new ScoreEstimator.MonteCarlo(0.4, 3), process, data, queries, t, seed);
            FloatMatrix st = score(new ScoreEstimator.SpaceTime(0.4, 1, 3), process, data, queries, t, seed);
            double[][] want = new double[(int) mc.rows()][mc.cols()];
            for (int i = 0; i < want.length; i++) for (int k = 0; k < mc.cols(); k++) want[i][k] = mc.get(i, k);
            assertClose(want, st, 64 * 0x1p-24 * maxAbs(mc), process + ": space-time, window 1");
        }
    }

    /**
     * Brownian, sigma 0, a point mass y: each particle's score is (y - x) / t' with its own t', so
     * u = ln(t s_k / (y_k - x_k)) / ln w = 1 - 2 U is the same for every coordinate of a particle and
     * uniform on [-1, 1] across particles: mean 0 (sd 1/sqrt(3M)), variance 1/3 (sd sqrt(4/45/M)).
     * One t' per draw shared by all particles would give variance 0; t' uniform instead of
     * log-uniform, a skewed u.
     */
    @Test
    void spaceTimeTimesAreLogUniformPerParticle() {
        FloatMatrix y = FloatMatrix.of(new float[][] {{0.7f, -1.2f, 2.0f}});
        int rows = 4000;
        FloatMatrix x = FloatMatrix.heap(rows, 3);
        for (int i = 0; i < rows; i++) for (int k = 0; k < 3; k++) x.set(i, k, (float) (y.get(0, k) + 1 + rng.nextDouble()));
        double t = 0.5, w = 3;
        FloatMatrix s = score(new ScoreEstimator.SpaceTime(0, w, 1), ForwardProcess.BROWNIAN, y, x, t, rng.nextLong());
        double sum = 0, sum2 = 0;
        for (int i = 0; i < rows; i++) {
            double[] u = new double[3];
            for (int k = 0; k < 3; k++) u[k] = Math.log(t * s.get(i, k) / (y.get(0, k) - x.get(i, k))) / Math.log(w);
            // |y - x| >= 1: float32 relative errors of 1e-6 in s and x give 1e-5 in u.
            assertEquals(u[0], u[1], 1e-5, "one time per particle");
            assertEquals(u[0], u[2], 1e-5, "one time per particle");
            assertTrue(Math.abs(u[0]) <= 1 + 1e-5, "u in [-1, 1]: " + u[0]);
            sum += u[0];
            sum2 += u[0] * u[0];
        }
        double z = FalseFailure.sigmas(2);
        double mean = sum / rows, second = sum2 / rows;
        assertTrue(Math.abs(mean) <= z / Math.sqrt(3.0 * rows), "mean of u " + mean);
        assertTrue(Math.abs(second - 1.0 / 3) <= z * Math.sqrt(4.0 / 45 / rows), "E[u^2] " + second + " against 1/3");
    }

    @Test
    void badSpaceTimeSettingsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ScoreEstimator.SpaceTime(-1, 2, 1));
        assertTrue(e.getMessage().contains("sigma") && e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ScoreEstimator.SpaceTime(0.1, 0.5, 1));
        assertTrue(e.getMessage().contains("window") && e.getMessage().contains("0.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ScoreEstimator.SpaceTime(0.1, 2, 0));
        assertTrue(e.getMessage().contains("draws"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ScoreEstimator.SpaceTime(0.1, Double.NaN, 1));
    }

    private static void assertClose(double[][] want, FloatMatrix got, double tol, String what) {
        double worst = 0;
        for (int i = 0; i < want.length; i++) for (int k = 0; k < want[i].length; k++) worst = Math.max(worst, Math.abs(want[i][k] - got.get(i, k)));
        assertTrue(worst <= tol, what + ": largest difference from float64 " + worst + " > " + tol);
    }

    private static double maxAbs(FloatMatrix m) {
        double max = 0;
        for (float v : m.toArray()) max = Math.max(max, Math.abs(v));
        return max;
    }
}
