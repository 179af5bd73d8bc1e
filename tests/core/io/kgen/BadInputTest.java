package io.kgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every rejected input gets an exception that names the argument and the value; none crashes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    private Engine engine;
    private final FloatMatrix x = FloatMatrix.of(new float[][] {{0, 1}, {2, 3}, {4, 5}});
    private final FloatMatrix y = FloatMatrix.of(new float[][] {{1, 1}, {2, 2}});
    private final KernelSum gauss = KernelSum.gaussian(0.5f);

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    private static <T extends Throwable> void rejects(Class<T> type, org.junit.jupiter.api.function.Executable call,
            String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void dimensionMismatch() {
        FloatMatrix y3 = FloatMatrix.heap(4, 3);
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, x, y3), "queries has 2 columns",
                "data has 3");
    }

    @Test
    void nonFiniteEntries() {
        FloatMatrix bad = FloatMatrix.of(new float[][] {{0, 1}, {2, Float.NaN}});
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, bad, y), "queries", "NaN", "row 1, column 1");
        FloatMatrix inf = FloatMatrix.of(new float[][] {{Float.POSITIVE_INFINITY, 1}, {2, 2}});
        rejects(IllegalArgumentException.class, () -> engine.score(gauss, x, inf), "data", "Infinity",
                "row 0, column 0");
        try (DeviceMatrix onContext = engine.upload(bad)) {
            rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, x, onContext), "data", "NaN");
        }
    }

    @Test
    void badBandwidths() {
        rejects(IllegalArgumentException.class, () -> KernelSum.gaussian(0f), "bandwidth", "0.0");
        rejects(IllegalArgumentException.class, () -> KernelSum.laplace(-1f), "bandwidth", "-1.0");
        rejects(IllegalArgumentException.class, () -> KernelSum.gaussian(Float.NaN), "bandwidth", "NaN");
        rejects(IllegalArgumentException.class, () -> KernelSum.gaussian(Float.POSITIVE_INFINITY), "bandwidth",
                "Infinity");
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(KernelSum.gaussian(1e-30), x, y),
                "bandwidth", "1.0E-30", "overflows");
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(KernelSum.laplace(1e-39), x, y),
                "bandwidth", "overflows");
        KernelSum shortList = gauss.withBandwidth(Bandwidth.perQuery(1f, 1f));
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(shortList, x, y), "bandwidths", "3 values",
                "2 x 1");
        KernelSum zero = gauss.withBandwidth(Bandwidth.perQuery(1f, 0f, 1f));
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(zero, x, y), "bandwidths[1]", "0.0");
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(KernelSum.cauchy(1e-25), x, y),
                "bandwidth", "CAUCHY", "overflows");
        // Context-resident bandwidths are checked by the native call on the context.
        try (DeviceMatrix onContext = engine.upload(FloatMatrix.wrap(3, 1, new float[] {1f, 1f, -2f}))) {
            rejects(IllegalArgumentException.class,
                    () -> engine.kernelSums(gauss.withBandwidth(Bandwidth.perQuery(onContext)), x, y), "bandwidths[2]",
                    "-2");
        }
    }

    @Test
    void badWeights() {
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss.withWeights(1f), x, y), "weights",
                "2 values");
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss.withWeights(1f, -0.5f), x, y),
                "weights[1]", "-0.5");
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss.withWeights(Float.NaN, 1f), x, y),
                "weights[0]", "NaN");
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss.withWeights(0f, 0f), x, y), "weights",
                "positive sum");
        // Context-resident weights are checked by the native call on the context.
        try (DeviceMatrix onContext = engine.upload(FloatMatrix.wrap(2, 1, new float[] {1f, Float.NaN}))) {
            rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss.withWeights(onContext), x, y),
                    "weights[1]", "nan");
        }
    }

    @Test
    void emptyInputs() {
        FloatMatrix none = FloatMatrix.heap(0, 2);
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, none, y), "queries", "empty");
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, x, none), "data", "empty");
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, null, y), "queries", "null");
        rejects(IllegalArgumentException.class, () -> FloatMatrix.heap(3, 0), "cols", "0");
    }

    @Test
    void leaveOneOutNeedsTheSameSet() {
        KernelSum loo = gauss.withLeaveOneOut(true);
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(loo, x, y), "leave-one-out", "3", "2");
        FloatMatrix one = FloatMatrix.heap(1, 2);
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(loo, one, one), "at least 2");
    }

    @Test
    void wrongOutputs() {
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, x, y,
                new KernelSumOutputs(FloatMatrix.heap(2, 1), null, null)), "lse", "3 values");
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, x, y,
                new KernelSumOutputs(null, FloatMatrix.heap(3, 3), null)), "mean", "3 x 2", "3 x 3");
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, x, y,
                new KernelSumOutputs(null, null, FloatMatrix.heap(2, 2))), "gradient", "3 x 2", "2 x 2");
        rejects(IllegalArgumentException.class, () -> new KernelSumOutputs(null, null, null), "no output");
        rejects(IllegalArgumentException.class, () -> engine.gaussianScoreStep(KernelSum.laplace(1f), x, y, 0.1, 0,
                RandomStream.of(1, 2)), "Gaussian", "LAPLACE");
    }

    @Test
    void sizesBeyondMemory() {
        rejects(IllegalArgumentException.class, () -> FloatMatrix.heap(1L << 20, 1 << 12), "does not fit",
                "4294967296");
        KgenException e = assertThrows(KgenException.class, () -> engine.allocate(1L << 40, 1 << 10));
        assertEquals(KgenException.Status.OUT_OF_MEMORY, e.status());
        assertTrue(e.getMessage().contains("1099511627776 x 1024"), e.getMessage());
        rejects(IllegalArgumentException.class, () -> engine.allocate(Long.MAX_VALUE / 2, 1 << 10), "too large");
    }

    @Test
    void closedEnginesAndForeignMatrices() {
        Engine other = Engine.open(Backend.CPU);
        DeviceMatrix foreign = other.upload(y);
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, x, foreign), "data",
                "another engine");
        other.close();
        other.close(); // idempotent
        assertTrue(foreign.isClosed(), "closing an engine closes its matrices");
        rejects(IllegalStateException.class, () -> other.kernelSums(gauss, x, y), "closed");
        DeviceMatrix mine = engine.upload(y);
        mine.close();
        mine.close();
        rejects(IllegalArgumentException.class, () -> engine.kernelSums(gauss, x, mine), "data", "closed");
    }
}
