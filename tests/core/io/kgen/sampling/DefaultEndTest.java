package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * ReverseSde's default t_min: the noise sqrt(t_min d) is 2% of the median nearest-neighbour
 * spacing of at most 256 probe rows (every (n / 256)-th), i.e. t_min = (0.02 median)^2 / d, unless
 * that is 0 or not below 1e-2 T, when it is 1e-5 T. Data on a line, whose spacings are known.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DefaultEndTest {
    private Engine engine;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    /** Rows at the given positions on the x axis of R^2. */
    private static FloatMatrix onALine(double[] x) {
        FloatMatrix m = FloatMatrix.heap(x.length, 2);
        for (int i = 0; i < x.length; i++) m.set(i, 0, (float) x[i]);
        return m;
    }

    private static double expected(double median) {
        return Math.pow(0.02 * median, 2) / 2;
    }

    /**
     * 151 rows: 100 spaced by 1 and 51 spaced by 5, with a widely spaced row in the middle of the
     * order. The median spacing is 1, whatever the order; the middle row alone would say 5.
     */
    @Test
    void theMedianSpacingSetsTheEnd() {
        double[] x = new double[151];
        for (int i = 0; i < 100; i++) x[i] = i; // spacing 1
        for (int i = 0; i < 51; i++) x[100 + i] = 1000 + 5 * i; // spacing 5
        double[] ordered = x.clone();
        ordered[75] = x[120]; // a spacing-5 row at index rows / 2
        ordered[120] = x[75];
        assertEquals(expected(1), ReverseSde.defaultEnd(engine, onALine(ordered), 1.0, ReverseSde.DEFAULT_FINAL_NOISE), 1e-12);
    }

    /** 600 rows: every second one is probed (rows 0, 2, ..., 510); only those are spaced by 1. */
    @Test
    void largeDataIsProbedEveryNOver256Rows() {
        double[] x = new double[600];
        for (int i = 0; i < 300; i++) {
            x[2 * i] = i; // even rows: spacing 1
            x[2 * i + 1] = 10_000 + 5 * i; // odd rows: spacing 5
        }
        assertEquals(expected(1), ReverseSde.defaultEnd(engine, onALine(x), 1.0, ReverseSde.DEFAULT_FINAL_NOISE), 1e-12);
    }

    @Test
    void degenerateDataOrALargeEndFallBackToAFractionOfT() {
        FloatMatrix two = onALine(new double[] {0, 1});
        assertEquals(expected(1), ReverseSde.defaultEnd(engine, two, 1.0, ReverseSde.DEFAULT_FINAL_NOISE), 1e-12, "two rows are enough");
        assertEquals(1e-5 * 3, ReverseSde.defaultEnd(engine, onALine(new double[] {7}), 3.0, ReverseSde.DEFAULT_FINAL_NOISE), 1e-18, "one row");
        assertEquals(1e-5 * 3, ReverseSde.defaultEnd(engine, onALine(new double[] {7, 7, 7}), 3.0, ReverseSde.DEFAULT_FINAL_NOISE), 1e-18, "no spacing");
        // The end must be below 1e-2 T: exactly at it is too large.
        double end = expected(1);
        double atLimit = end / 1e-2;
        while (1e-2 * atLimit < end) atLimit = Math.nextUp(atLimit);
        while (1e-2 * atLimit > end) atLimit = Math.nextDown(atLimit);
        assertEquals(end, 1e-2 * atLimit, 0, "a T with t_min exactly 1e-2 T");
        assertEquals(1e-5 * atLimit, ReverseSde.defaultEnd(engine, two, atLimit, ReverseSde.DEFAULT_FINAL_NOISE), 1e-20, "at the limit");
        assertEquals(end, ReverseSde.defaultEnd(engine, two, Math.nextUp(atLimit) * 1.000001, ReverseSde.DEFAULT_FINAL_NOISE), 1e-12, "just above it");
    }
}
