package io.kgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.io.MatrixFiles;
import io.kgen.testing.BatchDriftOracle;
import io.kgen.testing.DriftingOracle;
import io.kgen.testing.TestSeeds;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The primitive commands (kde, score, drift) run in-process through Main.execute, their output
 * files against float64 values computed here from MATH.md sections 1 and 5.
 *
 * <p>Tolerances: the CPU engine sums in float64 and rounds to float32 (relative 1e-6, as
 * CpuEngineTest states); files keep float32 exactly (.npy bytes, .csv Float.toString). So
 * log-density: 1e-6 max(1, |ref|); score: 1e-6 (max|y| + max|x|) / h^2; a drift step:
 * 1e-6 (1 + eta scale) (max|y| + max|x|), scale 1 (Laplace) or 1 / h^2 (Gaussian).
 */
class PrimitiveCommandValuesTest {
    @TempDir
    Path dir;

    private FloatMatrix data;
    private FloatMatrix queries;
    private Path dataFile;
    private Path queryFile;

    @BeforeEach
    void files() throws Exception {
        SplittableRandom rng = TestSeeds.random("command-line values");
        data = gaussian(rng, 41, 3, 1.0);
        queries = gaussian(rng, 13, 3, 1.4);
        dataFile = dir.resolve("data.npy");
        queryFile = dir.resolve("queries.csv");
        MatrixFiles.write(dataFile, data);
        MatrixFiles.write(queryFile, queries);
    }

    private static FloatMatrix gaussian(SplittableRandom rng, int n, int d, double scale) {
        FloatMatrix m = FloatMatrix.heap(n, d);
        for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) m.set(i, k, (float) (scale * rng.nextGaussian() + 0.5 * k - 0.7));
        return m;
    }

    private FloatMatrix run(String out, String... args) throws Exception {
        Path file = dir.resolve(out);
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--backend";
        all[args.length + 1] = "CPU";
        all[args.length + 2] = "-o";
        all[args.length + 3] = file.toString();
        assertEquals(0, Main.execute(all), String.join(" ", args));
        return MatrixFiles.read(file);
    }

    /** Gaussian softmax of row i of x over the rows of y (skipping j = i when leaveOneOut). */
    private static double[] logits(FloatMatrix x, int i, FloatMatrix y, double h, boolean leaveOneOut) {
        double[] a = new double[(int) y.rows()];
        for (int j = 0; j < a.length; j++) {
            double r2 = 0;
            for (int k = 0; k < x.cols(); k++) r2 += Math.pow((double) x.get(i, k) - y.get(j, k), 2);
            a[j] = leaveOneOut && i == j ? Double.NEGATIVE_INFINITY : -r2 / (2 * h * h);
        }
        return a;
    }

    /** log p_h(x_i) = log((1/n') sum_j exp(-|x_i - y_j|^2 / (2 h^2))) - (d/2) log(2 pi h^2). */
    private static double[] logDensity(FloatMatrix x, FloatMatrix y, double h, boolean leaveOneOut) {
        double[] out = new double[(int) x.rows()];
        long others = leaveOneOut ? y.rows() - 1 : y.rows();
        for (int i = 0; i < out.length; i++) {
            out[i] = DriftingOracle.logSumExp(logits(x, i, y, h, leaveOneOut)) - Math.log(others)
                    - 0.5 * x.cols() * Math.log(2 * Math.PI * h * h);
        }
        return out;
    }

    /** (sum_j P_ij y_j - x_i) / h^2. */
    private static double[][] score(FloatMatrix x, FloatMatrix y, double h, boolean leaveOneOut) {
        double[][] out = new double[(int) x.rows()][x.cols()];
        for (int i = 0; i < out.length; i++) {
            double[] a = logits(x, i, y, h, leaveOneOut);
            double lse = DriftingOracle.logSumExp(a);
            for (int j = 0; j < a.length; j++) {
                double p = Math.exp(a[j] - lse);
                for (int k = 0; k < x.cols(); k++) out[i][k] += p * ((double) y.get(j, k) - x.get(i, k)) / (h * h);
            }
        }
        return out;
    }

    @Test
    void kdeWritesTheLogDensity() throws Exception {
        double h = 0.75;
        FloatMatrix got = run("kde.npy", "kde", "-q", queryFile.toString(), "--data", dataFile.toString(), "-b", "0.75");
        assertEquals(queries.rows(), got.rows());
        assertEquals(1, got.cols());
        double[] want = logDensity(queries, data, h, false);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got.get(i, 0), 1e-6 * Math.max(1, Math.abs(want[i])), "query " + i);
    }

    /** With --leave-one-out each data point's own term is left out and the weights are 1/(n - 1). */
    @Test
    void kdeLeaveOneOutSkipsTheOwnTerm() throws Exception {
        double h = 0.5;
        FloatMatrix got = run("loo.csv", "kde", "-q", dataFile.toString(), "--data", dataFile.toString(), "-b", "0.5",
                "--leave-one-out");
        double[] want = logDensity(data, data, h, true);
        double[] withSelf = logDensity(data, data, h, false);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got.get(i, 0), 1e-6 * Math.max(1, Math.abs(want[i])), "data point " + i);
            // The own term is at least 1/n of the density at bandwidth 0.5: far more than the tolerance.
            assertTrue(withSelf[i] - want[i] > 1e-3 || want[i] - withSelf[i] > 1e-3, "leave-one-out must change point " + i);
        }
    }

    @Test
    void scoreWritesTheKdeScore() throws Exception {
        double h = 0.75;
        for (boolean loo : new boolean[] {false, true}) {
            FloatMatrix x = loo ? data : queries;
            FloatMatrix got = loo
                    ? run("score-loo.npy", "score", "-q", dataFile.toString(), "--data", dataFile.toString(), "-b", "0.75", "--leave-one-out")
                    : run("score.npy", "score", "-q", queryFile.toString(), "--data", dataFile.toString(), "-b", "0.75");
            double[][] want = score(x, data, h, loo);
            assertClose(want, got, 1e-6 * (maxAbs(data) + maxAbs(x)) / (h * h), "score, leave-one-out " + loo);
        }
    }

    @Test
    void driftWritesOneStepOfEachField() throws Exception {
        double[][] y = doubles(data), x = doubles(queries);
        double scale = maxAbs(data) + maxAbs(queries);
        assertClose(DriftingOracle.laplaceStep(y, x, 0.5, 0.5),
                run("laplace.npy", "drift", "-q", queryFile.toString(), "--data", dataFile.toString(), "-b", "0.5"),
                1e-6 * 1.5 * scale, "Laplace, default eta 0.5");
        assertClose(DriftingOracle.gaussianGradientStep(y, x, 0.75, 0.2),
                run("gauss.npy", "drift", "-q", queryFile.toString(), "--data", dataFile.toString(), "-b", "0.75",
                        "--field", "GAUSSIAN_GRADIENT", "--eta", "0.2"),
                1e-6 * (1 + 0.2 / 0.5625) * scale, "Gaussian gradient, eta 0.2");
        double[][] twice = DriftingOracle.laplaceStep(y, DriftingOracle.laplaceStep(y, x, 0.5, 0.3), 0.5, 0.3);
        assertClose(twice, run("two.npy", "drift", "-q", queryFile.toString(), "--data", dataFile.toString(), "-b", "0.5",
                "--eta", "0.3", "--steps", "2"), 2 * 1.3 * 1.3 * 1e-6 * scale, "two Laplace steps");
    }

    /** The batch field, x + eta step against the float64 oracle of the step. */
    @Test
    void driftWritesTheBatchField() throws Exception {
        double eta = 0.05;
        double[][] step = BatchDriftOracle.step(doubles(queries), doubles(data), new double[] {0.02, 0.05, 0.2});
        FloatMatrix got = run("batch.npy", "drift", "-q", queryFile.toString(), "--data", dataFile.toString(), "-b", "1",
                "--field", "LAPLACE_BATCH", "--eta", "0.05");
        assertClose(BatchDriftOracle.moved(doubles(queries), eta, step), got,
                BatchDriftOracle.movedTolerance(doubles(queries), eta, step), "batch field");
    }

    /** Fixed negatives from a file join the queries as negatives of the batch field. */
    @Test
    void driftTakesFixedNegatives() throws Exception {
        FloatMatrix negatives = data.copyRows(0, 7);
        Path negativesFile = dir.resolve("negatives.npy");
        MatrixFiles.write(negativesFile, negatives);
        double eta = 0.2;
        double[] temperatures = {0.02, 0.05, 0.2};
        double[][] step = BatchDriftOracle.step(doubles(queries), doubles(data), doubles(negatives), null, null, null,
                temperatures, BatchDriftOracle.Variant.OFFICIAL);
        FloatMatrix got = run("with-negatives.npy", "drift", "-q", queryFile.toString(), "--data", dataFile.toString(), "-b", "1",
                "--field", "LAPLACE_BATCH", "--eta", "0.2", "--negatives", negativesFile.toString());
        assertClose(BatchDriftOracle.moved(doubles(queries), eta, step), got,
                BatchDriftOracle.movedTolerance(doubles(queries), eta, step), "batch field with negatives");
    }

    private static void assertClose(double[][] want, FloatMatrix got, double tol, String what) {
        assertEquals(want.length, got.rows(), what);
        assertEquals(want[0].length, got.cols(), what);
        for (int i = 0; i < want.length; i++) {
            for (int k = 0; k < want[i].length; k++) {
                assertEquals(want[i][k], got.get(i, k), tol, what + ": row " + i + ", column " + k);
            }
        }
    }

    private static double[][] doubles(FloatMatrix m) {
        double[][] out = new double[(int) m.rows()][m.cols()];
        for (int i = 0; i < out.length; i++) for (int k = 0; k < m.cols(); k++) out[i][k] = m.get(i, k);
        return out;
    }

    private static double maxAbs(FloatMatrix m) {
        double max = 0;
        for (float v : m.toArray()) max = Math.max(max, Math.abs(v));
        return max;
    }
}
