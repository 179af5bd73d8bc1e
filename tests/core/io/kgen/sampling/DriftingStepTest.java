package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.testing.BatchDriftOracle;
import io.kgen.testing.DriftingOracle;
import io.kgen.testing.FalseFailure;
import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One step of each drifting field against {@link DriftingOracle}, a float64 computation from the
 * formulas, on fresh random particles and data; and the start law of {@code run(count, seed)}.
 *
 * <p>Tolerance of the plain fields: the CPU engine's means are float64 sums rounded to float32
 * (relative 1e-6 of the data's size, as CpuEngineTest states) and the update rounds to float32,
 * so |x' - ref| <= 1e-6 (1 + eta scale) (max|y| + max|x|), scale 1 (Laplace) or 1/h^2 (Gaussian).
 * The batch form is computed in float64 and rounded once (BatchDriftOracle.movedTolerance).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DriftingStepTest {
    private Engine engine;
    private FloatMatrix data;
    private FloatMatrix particles;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        SplittableRandom rng = TestSeeds.random("drifting step");
        data = gaussian(rng, 37, 3, 1.0, 0.4);
        particles = gaussian(rng, 23, 3, 1.5, -0.3); // wider and off centre: every term of V matters
    }

    @AfterAll
    void close() {
        engine.close();
    }

    private static FloatMatrix gaussian(SplittableRandom rng, int n, int d, double scale, double shift) {
        FloatMatrix m = FloatMatrix.heap(n, d);
        for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) m.set(i, k, (float) (shift * (k + 1) + scale * rng.nextGaussian()));
        return m;
    }

    @Test
    void laplaceStepIsTheDisplacementField() {
        double tau = 0.6, eta = 0.3;
        Drifting drifting = Drifting.builder().field(Drifting.Field.LAPLACE).bandwidth(tau).stepSize(eta).steps(1).build();
        double[][] want = DriftingOracle.laplaceStep(doubles(data), doubles(particles), tau, eta);
        assertClose(want, drifting.targets(engine, data, particles), plainTolerance(eta), "Laplace targets");
        assertClose(want, drifting.run(engine, data, particles), plainTolerance(eta), "Laplace run");
    }

    @Test
    void laplaceDefaultStepSizeIsOneHalf() {
        double tau = 0.4;
        Drifting drifting = Drifting.builder().field(Drifting.Field.LAPLACE).bandwidth(tau).steps(1).build();
        double[][] want = DriftingOracle.laplaceStep(doubles(data), doubles(particles), tau, 0.5);
        assertClose(want, drifting.targets(engine, data, particles), plainTolerance(0.5), "Laplace, default eta");
    }

    @Test
    void gaussianGradientStepIsTheDifferenceOfScores() {
        double h = 0.7, eta = 0.2;
        Drifting drifting = Drifting.builder().field(Drifting.Field.GAUSSIAN_GRADIENT).bandwidth(h).stepSize(eta).steps(1).build();
        double[][] want = DriftingOracle.gaussianGradientStep(doubles(data), doubles(particles), h, eta);
        assertClose(want, drifting.targets(engine, data, particles), plainTolerance(eta / (h * h)), "Gaussian targets");
        // The default step size is h^2 / 2.
        Drifting byDefault = Drifting.builder().field(Drifting.Field.GAUSSIAN_GRADIENT).bandwidth(h).steps(1).build();
        double[][] half = DriftingOracle.gaussianGradientStep(doubles(data), doubles(particles), h, h * h / 2);
        assertClose(half, byDefault.run(engine, data, particles), plainTolerance(0.5), "Gaussian, default eta");
    }

    @Test
    void batchStepIsTheOfficialFieldTimesEta() {
        double eta = 0.3;
        double[] temperatures = {0.05, 0.2, 1.0};
        Drifting drifting = Drifting.builder().field(Drifting.Field.LAPLACE_BATCH).temperatures(temperatures)
                .stepSize(eta).steps(1).build();
        double[][] step = BatchDriftOracle.step(doubles(particles), doubles(data), temperatures);
        assertClose(BatchDriftOracle.moved(doubles(particles), eta, step), drifting.targets(engine, data, particles),
                BatchDriftOracle.movedTolerance(doubles(particles), eta, step), "batch targets");
    }

    @Test
    void batchDefaultsAreThreeTemperaturesAndAFixedFraction() {
        double eta = Drifting.BATCH_STEP;
        double[][] step = BatchDriftOracle.step(doubles(particles), doubles(data), new double[] {0.02, 0.05, 0.2});
        Drifting drifting = Drifting.builder().field(Drifting.Field.LAPLACE_BATCH).steps(1).build();
        assertClose(BatchDriftOracle.moved(doubles(particles), eta, step), drifting.run(engine, data, particles),
                BatchDriftOracle.movedTolerance(doubles(particles), eta, step), "batch, defaults");
    }

    @Test
    void batchNegativesAndWeightsReachTheField() {
        double eta = 0.1;
        FloatMatrix negatives = particles.copyRows(0, 5);
        float[] wx = new float[(int) particles.rows()];
        for (int i = 0; i < wx.length; i++) wx[i] = 1 + i % 3;
        float[] wy = new float[(int) data.rows()];
        for (int j = 0; j < wy.length; j++) wy[j] = 0.5f + j % 2;
        float[] wz = {1, 2, 3, 4, 5};
        Drifting drifting = Drifting.builder().field(Drifting.Field.LAPLACE_BATCH).negatives(negatives)
                .weights(new BatchWeights(wx, wz, wy)).stepSize(eta).steps(1).build();
        double[] temperatures = {0.02, 0.05, 0.2};
        double[][] step = BatchDriftOracle.step(doubles(particles), doubles(data), doubles(negatives), widen(wx), widen(wz),
                widen(wy), temperatures, BatchDriftOracle.Variant.OFFICIAL);
        assertClose(BatchDriftOracle.moved(doubles(particles), eta, step), drifting.targets(engine, data, particles),
                BatchDriftOracle.movedTolerance(doubles(particles), eta, step), "batch with negatives and weights");
    }

    @Test
    void severalStepsAreTheStepRepeated() {
        double tau = 0.5, eta = 0.4;
        int steps = 3;
        Drifting drifting = Drifting.builder().field(Drifting.Field.LAPLACE).bandwidth(tau).stepSize(eta).steps(steps).build();
        double[][] want = doubles(particles);
        for (int s = 0; s < steps; s++) want = DriftingOracle.laplaceStep(doubles(data), want, tau, eta);
        // Each step's error is carried by the next (its Jacobian is about 1 + eta): a factor per step.
        assertClose(want, drifting.run(engine, data, particles), steps * Math.pow(1 + eta, steps) * plainTolerance(eta),
                "three Laplace steps");
    }

    /**
     * run(count, seed) starts from N(data mean, s^2 I), s^2 the mean per-coordinate variance; with
     * a step of 1e-9 the particles move by at most 1e-9 |V| (|V| <= twice the data's extent).
     */
    @Test
    void particlesStartFromTheDataGaussian() {
        int count = 4000;
        long seed = TestSeeds.seed("drifting start");
        FloatMatrix start = Drifting.builder().stepSize(1e-9).steps(1).build().run(engine, data, count, seed);
        double[] mean = mean(data);
        double s2 = meanVariance(data);
        int d = data.cols();
        // d means (Gaussian), one pooled variance (chi-square with count d degrees of freedom).
        double z = FalseFailure.sigmas(d + 1);
        double squares = 0;
        for (int k = 0; k < d; k++) {
            double sum = 0;
            for (int i = 0; i < count; i++) {
                double u = start.get(i, k) - mean[k];
                sum += u;
                squares += u * u;
            }
            assertEquals(0, sum / count, z * Math.sqrt(s2 / count), "start mean, coordinate " + k);
        }
        double[] ratio = FalseFailure.varianceRatio((long) count * d, d + 1);
        double v = squares / ((double) count * d) / s2;
        assertTrue(v >= ratio[0] && v <= ratio[1], "start variance / s^2 = " + v + ", allowed " + ratio[0] + ".." + ratio[1]);
    }

    /** Data with no spread starts the particles from N(mean, I) instead of a point. */
    @Test
    void constantDataStartsFromUnitVariance() {
        FloatMatrix constant = FloatMatrix.of(new float[][] {{2, -1, 0.5f}, {2, -1, 0.5f}});
        int count = 4000;
        // The Laplace step moves each particle by at most eta (|V| <= max distance; eta 1e-9 makes it nothing).
        FloatMatrix start = Drifting.builder().stepSize(1e-9).steps(1).build().run(engine, constant, count,
                TestSeeds.seed("drifting start, constant data"));
        IsotropicGaussianCheck.check(start, new double[] {2, -1, 0.5}, 1, "start around constant data");
    }

    private double plainTolerance(double etaScale) {
        return 1e-6 * (1 + etaScale) * (maxAbs(data) + maxAbs(particles));
    }

    private static void assertClose(double[][] want, FloatMatrix got, double tol, String what) {
        assertEquals(want.length, got.rows(), what + ": rows");
        double worst = 0, moved = 0;
        for (int i = 0; i < want.length; i++) {
            for (int k = 0; k < want[i].length; k++) worst = Math.max(worst, Math.abs(want[i][k] - got.get(i, k)));
        }
        System.out.printf("%s: largest difference %.3g (tolerance %.3g)%n", what, worst, tol);
        assertTrue(worst <= tol, what + ": largest difference from the float64 oracle " + worst + " > " + tol);
    }

    private static double[][] doubles(FloatMatrix m) {
        double[][] out = new double[(int) m.rows()][m.cols()];
        for (int i = 0; i < out.length; i++) for (int k = 0; k < m.cols(); k++) out[i][k] = m.get(i, k);
        return out;
    }

    private static double[] widen(float[] w) {
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) out[i] = w[i];
        return out;
    }

    private static double maxAbs(FloatMatrix m) {
        double max = 0;
        for (float v : m.toArray()) max = Math.max(max, Math.abs(v));
        return max;
    }

    private static double[] mean(FloatMatrix m) {
        double[] mean = new double[m.cols()];
        for (long i = 0; i < m.rows(); i++) for (int k = 0; k < m.cols(); k++) mean[k] += m.get(i, k);
        for (int k = 0; k < m.cols(); k++) mean[k] /= m.rows();
        return mean;
    }

    /** Mean over coordinates of the sample variance (n - 1). */
    private static double meanVariance(FloatMatrix m) {
        double[] mean = mean(m);
        double s = 0;
        for (long i = 0; i < m.rows(); i++) for (int k = 0; k < m.cols(); k++) s += Math.pow(m.get(i, k) - mean[k], 2);
        return s / (m.rows() - 1) / m.cols();
    }
}
