package io.kgen.sampling;

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
 * The score estimators and the kernel denoiser against float64 values from MATH.md sections 2
 * and 3: s_t(x) = (m_t(x) - x) / t with m_t the Gaussian softmax mean at h^2 = t; the time shift
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
        try (Workspace work = new Workspace(engine); DeviceMatrix dy = engine.upload(y); DeviceMatrix dx = engine.upload(x);
                DeviceMatrix out = engine.allocate(x.rows(), x.cols())) {
            estimator.score(work, dy, dx, t, seed, 0, out);
            return out.download();
        }
    }

    /** (m_t(x) - x) / t in float64, the softmax over all data of -|x - y_j|^2 / (2 t). */
    private static double[][] empiricalScore(FloatMatrix y, FloatMatrix x, double t) {
        int m = (int) x.rows(), n = (int) y.rows(), d = x.cols();
        double[][] s = new double[m][d];
        for (int i = 0; i < m; i++) {
            double[] a = new double[n];
            for (int j = 0; j < n; j++) {
                double r2 = 0;
                for (int k = 0; k < d; k++) r2 += Math.pow((double) x.get(i, k) - y.get(j, k), 2);
                a[j] = -r2 / (2 * t);
            }
            double lse = DriftingOracle.logSumExp(a);
            for (int j = 0; j < n; j++) {
                double p = Math.exp(a[j] - lse);
                for (int k = 0; k < d; k++) s[i][k] += p * (y.get(j, k) - x.get(i, k)) / t;
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
