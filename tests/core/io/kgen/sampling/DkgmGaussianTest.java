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
 * DKGM (MATH.md section 4) with the exact denoiser of the population law N(mu, S), S not
 * diagonal: D_t(x) = mu + S (S + t I)^-1 (x - mu). Stage 2 is then linear,
 * u <- A_k u + b_k xi with A_k = I - a_k t_k (S + t_k I)^-1, so the output's mean and covariance
 * follow exactly from the stage-1 moments (data mean; data covariance (1/N) + h^2 I) through
 * m <- A m, C <- A C A' + b^2 I, whatever the shape of the stage-1 law. Bounds: z standard errors
 * of M samples, plug-in fourth moments (CLT), z for 5 checks per run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DkgmGaussianTest {
    private static final double[] MU = {0.5, -1.0};
    private static final double[][] S = {{1.0, 0.5}, {0.5, 0.5}};
    private static final int M = 20_000;
    private static final double H = 0.6;
    private Engine engine;
    private FloatMatrix data;
    private long seed;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        seed = TestSeeds.seed("DKGM on Gaussian data");
        SplittableRandom rng = new SplittableRandom(seed);
        data = FloatMatrix.heap(500, 2);
        for (int i = 0; i < 500; i++) {
            double z0 = rng.nextGaussian(), z1 = rng.nextGaussian();
            data.set(i, 0, (float) (MU[0] + z0)); // L = [[1, 0], [0.5, 0.5]], L L' = S
            data.set(i, 1, (float) (MU[1] + 0.5 * z0 + 0.5 * z1));
        }
    }

    @AfterAll
    void close() {
        engine.close();
    }

    /** The population posterior mean, computed on the host in double. */
    private static final Denoiser GAUSSIAN = (work, data, x, t, seed, step, out) -> {
        FloatMatrix host = x.download();
        double[][] gain = times(S, inverse(plus(S, t)));
        FloatMatrix d = FloatMatrix.heap(host.rows(), 2);
        for (long i = 0; i < host.rows(); i++) {
            double u0 = host.get(i, 0) - MU[0], u1 = host.get(i, 1) - MU[1];
            d.set(i, 0, (float) (MU[0] + gain[0][0] * u0 + gain[0][1] * u1));
            d.set(i, 1, (float) (MU[1] + gain[1][0] * u0 + gain[1][1] * u1));
        }
        work.engine().copy(d, out);
    };

    @Test
    void reverseSdeStepsEndAtThePredictedMoments() {
        int steps = 30;
        double end = 0.01;
        Dkgm dkgm = Dkgm.builder(H).denoiser(GAUSSIAN).steps(steps).endFraction(end).seed(seed).build();
        double[] t = LinearScorePrediction.geometricTimes(H * H, end * H * H, steps);
        double[] a = new double[steps];
        double[] b = new double[steps];
        for (int k = 0; k < steps; k++) {
            a[k] = (t[k] - t[k + 1]) / t[k];
            b[k] = Math.sqrt(a[k] * t[k]);
        }
        check(dkgm.sample(engine, data, M), t, a, b, "reverse-SDE steps");
    }

    @Test
    void robbinsMonroStepsEndAtThePredictedMoments() {
        int steps = 25;
        double a0 = 0.8, gamma = 0.6, noise = 0.7;
        Dkgm dkgm = Dkgm.builder(H).denoiser(GAUSSIAN).steps(steps).robbinsMonro(a0, gamma).noise(noise).seed(seed + 1).build();
        double[] t = LinearScorePrediction.geometricTimes(H * H, 1e-3 * H * H, steps); // default t_end = 1e-3 h^2
        double[] a = new double[steps];
        double[] b = new double[steps];
        for (int k = 0; k < steps; k++) {
            a[k] = a0 / Math.pow(k + 1, gamma);
            b[k] = noise * Math.sqrt(a[k] * t[k]);
        }
        check(dkgm.sample(engine, data, M), t, a, b, "Robbins-Monro steps");
    }

    private void check(FloatMatrix x, double[] t, double[] a, double[] b, String what) {
        double[] m = Moments.mean(data);
        for (int k = 0; k < 2; k++) m[k] -= MU[k];
        double[][] c = Moments.populationCovariance(data);
        c[0][0] += H * H;
        c[1][1] += H * H;
        for (int k = 0; k < a.length; k++) {
            double[][] gain = times(inverse(plus(S, t[k])), new double[][] {{t[k] * a[k], 0}, {0, t[k] * a[k]}});
            double[][] step = {{1 - gain[0][0], -gain[0][1]}, {-gain[1][0], 1 - gain[1][1]}};
            m = new double[] {step[0][0] * m[0] + step[0][1] * m[1], step[1][0] * m[0] + step[1][1] * m[1]};
            c = times(times(step, c), transpose(step));
            c[0][0] += b[k] * b[k];
            c[1][1] += b[k] * b[k];
        }
        double[] want = {MU[0] + m[0], MU[1] + m[1]};
        double z = FalseFailure.sigmas(5);
        double[] got = Moments.mean(x);
        double[][] cov = Moments.scatter(x, want, M);
        for (int k = 0; k < 2; k++) {
            double se = Math.sqrt(c[k][k] / M);
            assertTrue(Math.abs(got[k] - want[k]) <= z * se, what + ": mean " + k + " " + got[k] + " against " + want[k] + " +- " + z * se);
            for (int l = 0; l <= k; l++) {
                double fourth = 0;
                for (int i = 0; i < M; i++) fourth += Math.pow((x.get(i, k) - want[k]) * (x.get(i, l) - want[l]), 2);
                double seC = Math.sqrt((fourth / M - cov[k][l] * cov[k][l]) / M);
                assertTrue(Math.abs(cov[k][l] - c[k][l]) <= z * seC,
                        what + ": covariance " + k + "," + l + " " + cov[k][l] + " against " + c[k][l] + " +- " + z * seC);
            }
        }
    }

    private static double[][] plus(double[][] s, double t) {
        return new double[][] {{s[0][0] + t, s[0][1]}, {s[1][0], s[1][1] + t}};
    }

    private static double[][] inverse(double[][] a) {
        double det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
        return new double[][] {{a[1][1] / det, -a[0][1] / det}, {-a[1][0] / det, a[0][0] / det}};
    }

    private static double[][] times(double[][] a, double[][] b) {
        double[][] c = new double[2][2];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 2; k++) c[i][j] += a[i][k] * b[k][j];
        return c;
    }

    private static double[][] transpose(double[][] a) {
        return new double[][] {{a[0][0], a[1][0]}, {a[0][1], a[1][1]}};
    }
}
