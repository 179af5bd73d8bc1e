package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.testing.BatchDriftOracle;
import io.kgen.testing.BatchDriftOracle.Variant;
import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batch drifting field against {@link BatchDriftOracle}, the four steps of MATH.md section 5
 * in float64, on fresh random batches: every entry within float32 rounding (the oracle's
 * tolerance). The pieces that are easy to get wrong (self mask, floor, joint row softmax) each
 * have a test on a batch where leaving that piece out moves the step far beyond the tolerance.
 */
class BatchLaplaceFieldTest {
    private static final double[] TEMPERATURES = BatchLaplaceField.DEFAULT_TEMPERATURES;
    private static final BatchLaplaceField FIELD = new BatchLaplaceField(TEMPERATURES);

    /** Where the generated points are: far from the data (start of a run) or among it (late). */
    enum Stage { EARLY, LATE }

    static Stream<Arguments> batches() {
        return Stream.of(
                Arguments.of(64, 64, 2, Stage.EARLY), Arguments.of(64, 64, 2, Stage.LATE),
                Arguments.of(64, 64, 16, Stage.EARLY), Arguments.of(64, 64, 16, Stage.LATE),
                Arguments.of(64, 64, 784, Stage.EARLY), Arguments.of(64, 64, 784, Stage.LATE),
                Arguments.of(512, 512, 2, Stage.EARLY), Arguments.of(512, 512, 16, Stage.LATE),
                Arguments.of(512, 512, 784, Stage.EARLY), Arguments.of(512, 512, 784, Stage.LATE),
                Arguments.of(100, 300, 16, Stage.LATE), Arguments.of(300, 37, 2, Stage.EARLY),
                Arguments.of(5, 1000, 784, Stage.LATE));
    }

    @ParameterizedTest(name = "{0} generated, {1} positives, d={2}, {3}")
    @MethodSource("batches")
    void stepMatchesTheFloat64Oracle(int generated, int positives, int d, Stage stage) {
        SplittableRandom rng = TestSeeds.random("batch field " + generated + "/" + positives + " d=" + d + " " + stage);
        FloatMatrix y = data(rng, positives, d);
        FloatMatrix x = generated(rng, y, generated, stage);
        double[][] want = BatchDriftOracle.step(doubles(x), doubles(y), TEMPERATURES);
        assertClose(want, FIELD.step(x, y), "step");
    }

    @Test
    void fixedNegativesAndWeightsEnterAsTheOfficialCodeAllows() {
        SplittableRandom rng = TestSeeds.random("batch field, negatives and weights");
        int g = 48, q = 20, p = 70, d = 5;
        FloatMatrix y = data(rng, p, d);
        FloatMatrix x = generated(rng, y, g, Stage.LATE);
        FloatMatrix z = generated(rng, y, q, Stage.EARLY);
        float[] wx = weights(rng, g), wz = weights(rng, q), wy = weights(rng, p);
        double[] temperatures = {0.03, 0.5};
        double[][] want = BatchDriftOracle.step(doubles(x), doubles(y), doubles(z), widen(wx), widen(wz), widen(wy),
                temperatures, Variant.OFFICIAL);
        FloatMatrix got = new BatchLaplaceField(temperatures).step(x, y, z, new BatchWeights(wx, wz, wy));
        assertClose(want, got, "negatives and weights");
        // The negatives and the weights each change the step (else this test would not see them).
        assertFar(want, BatchDriftOracle.step(doubles(x), doubles(y), new double[0][], widen(wx), null, widen(wy),
                temperatures, Variant.OFFICIAL), "without the fixed negatives");
        assertFar(want, BatchDriftOracle.step(doubles(x), doubles(y), doubles(z), null, null, null, temperatures,
                Variant.OFFICIAL), "with unit weights");
    }

    /** A point's own column carries the floor only; unmasked, the row softmax would sit on it. */
    @Test
    void aPointIsNotItsOwnNegative() {
        checkPiece(Variant.NO_SELF_MASK, Stage.LATE);
    }

    /** Every affinity is at least 1e-3: far from the data the floor carries the whole pull. */
    @Test
    void everyAffinityHasTheFloor() {
        checkPiece(Variant.NO_FLOOR, Stage.EARLY);
    }

    /** One row softmax over negatives and positives together, not one per set. */
    @Test
    void theRowSoftmaxIsJointOverAllTargets() {
        checkPiece(Variant.ROW_SOFTMAX_PER_SET, Stage.LATE);
    }

    private static void checkPiece(Variant without, Stage stage) {
        SplittableRandom rng = TestSeeds.random("batch field piece " + without);
        FloatMatrix y = data(rng, 64, 2);
        FloatMatrix x = generated(rng, y, 64, stage);
        double[][] want = BatchDriftOracle.step(doubles(x), doubles(y), TEMPERATURES);
        double[][] broken = BatchDriftOracle.step(doubles(x), doubles(y), new double[0][], null, null, null,
                TEMPERATURES, without);
        assertFar(want, broken, without.toString());
        assertClose(want, FIELD.step(x, y), "step, against " + without);
    }

    /**
     * The step is in data coordinates: scaling the batch by 256 scales it, shifting the batch
     * keeps it. The inputs lie on a grid of 2^-10, so the scaled and shifted copies are exact in
     * float32; what remains is the float32 rounding of both outputs, and for the scaling the
     * distance floor 1e-4 on the self pairs, which does not scale (4e-7 to 6e-7 of the largest entry here, 5 seeds).
     */
    @Test
    void stepFollowsTheDataCoordinates() {
        SplittableRandom rng = TestSeeds.random("batch field coordinates");
        FloatMatrix y = affine(data(rng, 40, 3), 1, 0);
        FloatMatrix x = affine(generated(rng, y, 30, Stage.LATE), 1, 0);
        double[][] base = doubles(FIELD.step(x, y));
        float factor = 256;
        double[][] scaled = doubles(FIELD.step(affine(x, factor, 0), affine(y, factor, 0)));
        double[][] shifted = doubles(FIELD.step(affine(x, 1, 0.5f), affine(y, 1, 0.5f)));
        double largest = largest(base);
        double tol = 0x1p-22 * largest;
        for (int i = 0; i < base.length; i++) {
            for (int k = 0; k < base[i].length; k++) {
                assertEquals(factor * base[i][k], scaled[i][k], factor * 1e-5 * largest, "scaled, " + i + "," + k);
                assertEquals(base[i][k], shifted[i][k], tol, "shifted, " + i + "," + k);
            }
        }
        assertTrue(largest > 0.01, "the step moves the points: " + largest);
    }

    @Test
    void badInputsAreNamed() {
        FloatMatrix x = FloatMatrix.of(new float[][] {{0, 0}, {1, 1}});
        FloatMatrix y = FloatMatrix.of(new float[][] {{0, 1}});
        assertMessage("positives have 3 columns but generated has 2", () -> FIELD.step(x, FloatMatrix.heap(2, 3)));
        assertMessage("negatives have 1 columns but generated has 2", () -> FIELD.step(x, y, FloatMatrix.heap(1, 1), BatchWeights.UNIT));
        assertMessage("positives is empty (0 rows)", () -> FIELD.step(x, FloatMatrix.heap(0, 2)));
        assertMessage("generated must be finite, got NaN at row 1, column 0",
                () -> FIELD.step(FloatMatrix.of(new float[][] {{0, 0}, {Float.NaN, 1}}), y));
        assertMessage("positive weights must be finite and >= 0, got -1.0 at 0", () -> new BatchWeights(null, null, new float[] {-1}));
        assertMessage("generated weights must be 2 values, got 1",
                () -> FIELD.step(x, y, null, new BatchWeights(new float[] {1}, null, null)));
        assertMessage("negative weights given (1) but no negatives",
                () -> FIELD.step(x, y, null, new BatchWeights(null, new float[] {1}, null)));
        assertMessage("the targets' weights sum to 0.0: nothing to drift to",
                () -> FIELD.step(x, y, null, new BatchWeights(new float[2], null, new float[1])));
        assertMessage("temperature must be positive and finite, got 0.0", () -> new BatchLaplaceField(0.1, 0));
        assertMessage("at least one temperature is needed", () -> new BatchLaplaceField());
    }

    /** Positives: a 2-cluster mixture with unit spread per coordinate around (+-2, 0, ...). */
    private static FloatMatrix data(SplittableRandom rng, int n, int d) {
        FloatMatrix m = FloatMatrix.heap(n, d);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) m.set(i, k, (float) ((k == 0 ? (rng.nextBoolean() ? 2 : -2) : 0) + rng.nextGaussian()));
        }
        return m;
    }

    /** Early: N(0, 9 I) shifted by 6 per coordinate, far from the data. Late: data points plus N(0, 0.01 I). */
    private static FloatMatrix generated(SplittableRandom rng, FloatMatrix y, int g, Stage stage) {
        int d = y.cols();
        FloatMatrix m = FloatMatrix.heap(g, d);
        for (int i = 0; i < g; i++) {
            int j = rng.nextInt((int) y.rows());
            for (int k = 0; k < d; k++) {
                double v = stage == Stage.EARLY ? 6 + 3 * rng.nextGaussian() : y.get(j, k) + 0.1 * rng.nextGaussian();
                m.set(i, k, (float) v);
            }
        }
        return m;
    }

    private static float[] weights(SplittableRandom rng, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (0.2 + 2 * rng.nextDouble());
        return w;
    }

    private static double[] widen(float[] w) {
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) out[i] = w[i];
        return out;
    }

    /** factor m + shift, with m first rounded to a grid of 2^-10 (exact for these values). */
    private static FloatMatrix affine(FloatMatrix m, float factor, float shift) {
        FloatMatrix out = FloatMatrix.heap(m.rows(), m.cols());
        for (int i = 0; i < m.rows(); i++) {
            for (int k = 0; k < m.cols(); k++) out.set(i, k, factor * (Math.round(m.get(i, k) * 1024f) / 1024f) + shift);
        }
        return out;
    }

    private static void assertClose(double[][] want, FloatMatrix got, String what) {
        assertEquals(want.length, got.rows(), what + ": rows");
        double largest = largest(want);
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            for (int k = 0; k < want[i].length; k++) {
                double diff = Math.abs(want[i][k] - got.get(i, k));
                worst = Math.max(worst, diff / BatchDriftOracle.tolerance(want[i][k], largest));
                if (diff > BatchDriftOracle.tolerance(want[i][k], largest)) {
                    throw new AssertionError(what + ": entry " + i + "," + k + " is " + got.get(i, k) + ", the float64 oracle "
                            + want[i][k] + " (tolerance " + BatchDriftOracle.tolerance(want[i][k], largest) + ")");
                }
            }
        }
        System.out.printf("%s: largest difference %.3g of the tolerance%n", what, worst);
    }

    /** The two steps differ by at least 10% of the larger entry somewhere: far beyond rounding. */
    private static void assertFar(double[][] a, double[][] b, String what) {
        double diff = 0;
        for (int i = 0; i < a.length; i++) for (int k = 0; k < a[i].length; k++) diff = Math.max(diff, Math.abs(a[i][k] - b[i][k]));
        System.out.printf("%s: differs by %.3g, largest entry %.3g%n", what, diff, largest(a));
        assertTrue(diff > 0.1 * largest(a), what + " changes the step by only " + diff);
    }

    private static double largest(double[][] m) {
        double max = 0;
        for (double[] row : m) for (double v : row) max = Math.max(max, Math.abs(v));
        return max;
    }

    private static double[][] doubles(FloatMatrix m) {
        double[][] out = new double[(int) m.rows()][m.cols()];
        for (int i = 0; i < out.length; i++) for (int k = 0; k < m.cols(); k++) out[i][k] = m.get(i, k);
        return out;
    }

    private static void assertMessage(String message, org.junit.jupiter.api.function.Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
