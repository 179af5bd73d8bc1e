package io.kgen.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The metrics at their boundaries: smallest inputs, ties, exact values on tiny hand-made sets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsEdgeTest {
    private Engine engine;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    /** d1 / d2 = 1/3 exactly is not memorized (the rule is d1 / d2 < 1/3); just below is. */
    @Test
    void memorizationThresholdIsStrict() {
        FloatMatrix train = FloatMatrix.of(new float[][] {{0, 0}, {4, 0}});
        FloatMatrix onTheLine = FloatMatrix.of(new float[][] {{1, 0}, {0.99f, 0}, {2, 0}});
        assertEquals(1.0 / 3, Metrics.memorizationRatio(engine, onTheLine, train), 1e-15); // only 0.99
        assertArrayEquals(new double[] {1, 0.99f, 2}, Metrics.nearestDistances(engine, onTheLine, train), 1e-7);
    }

    @Test
    void everyMetricNeedsTwoRowsPerSet() {
        FloatMatrix one = FloatMatrix.of(new float[][] {{0, 0}});
        FloatMatrix two = FloatMatrix.of(new float[][] {{0, 0}, {1, 1}});
        // The metric's own check, naming the set (the engine would reject some of these for other reasons).
        rejects(() -> Metrics.memorizationRatio(engine, two, one), "train needs at least 2 rows, got 1");
        rejects(() -> Metrics.mmd2(engine, one, two, 1), "x needs at least 2 rows, got 1");
        rejects(() -> Metrics.mmd2(engine, two, one, 1), "y needs at least 2 rows, got 1");
        rejects(() -> Metrics.energyDistance(engine, one, two), "x needs at least 2 rows, got 1");
        rejects(() -> Metrics.energyDistance(engine, two, one), "y needs at least 2 rows, got 1");
        rejects(() -> Metrics.energyDistance(engine, null, two), "x needs at least 2 rows, got 0");
        // Two rows are enough, with values computable by hand.
        assertEquals(1.0, Metrics.memorizationRatio(engine, one, two), 0); // a copy of a training point: d1 = 0
        FloatMatrix far = FloatMatrix.of(new float[][] {{3, 4}, {3, 5}});
        // Energy: 2 E|X - Y| - E|X - X'| - E|Y - Y'| over the four cross pairs and the ordered within pairs.
        double xy = (5 + Math.hypot(3, 5) + Math.hypot(2, 3) + Math.hypot(2, 4)) / 4;
        assertEquals(2 * xy - Math.sqrt(2) - 1, Metrics.energyDistance(engine, two, far), 1e-6);
        double h = 2;
        double kxx = Math.exp(-2 / (2 * h * h)), kyy = Math.exp(-1 / (2 * h * h));
        double kxy = (Math.exp(-25 / 8.0) + Math.exp(-34 / 8.0) + Math.exp(-13 / 8.0) + Math.exp(-20 / 8.0)) / 4;
        assertEquals(kxx + kyy - 2 * kxy, Metrics.mmd2(engine, two, far, h), 1e-6);
    }

    private static void rejects(org.junit.jupiter.api.function.Executable call, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    /** The grid is geometric from smallest to largest; N' interpolates log-log; ends are flagged. */
    @Test
    void effectiveSizeReadsTheGridAndInterpolates() {
        List<Integer> asked = new ArrayList<>();
        EffectiveSize.Estimate e = EffectiveSize.estimate(1.0 / 100, n -> {
            asked.add(n);
            return 1.0 / n;
        }, 10, 1000, 3);
        assertEquals(List.of(10, 100, 1000), asked);
        assertEquals(100, e.size(), 1e-9, "an error equal to a grid value gives that grid size");
        assertFalse(e.belowGrid() || e.aboveGrid());
        // Between 10 and 100 on 1/n^2: log-log interpolation is exact for a power law.
        assertEquals(30, EffectiveSize.estimate(1.0 / 900, n -> 1.0 / ((double) n * n), 10, 1000, 3).size(), 1e-9);
        EffectiveSize.Estimate top = EffectiveSize.estimate(1.0 / 10, n -> 1.0 / n, 10, 1000, 3);
        assertTrue(top.belowGrid() && top.size() == 10, "as bad as the smallest grid size: below the grid");
        assertTrue(EffectiveSize.estimate(1e-9, n -> 1.0 / n, 1, 2, 2).aboveGrid());
        assertThrows(IllegalArgumentException.class, () -> EffectiveSize.estimate(0.1, n -> 1.0 / n, 0, 10, 3));
        assertThrows(IllegalArgumentException.class, () -> EffectiveSize.estimate(0.1, n -> 1.0 / n, 10, 10, 3));
        assertThrows(IllegalArgumentException.class, () -> EffectiveSize.estimate(0.1, n -> 1.0 / n, 10, 100, 1));
        assertThrows(IllegalArgumentException.class, () -> EffectiveSize.estimate(0, n -> 1.0 / n, 10, 100, 3));
    }
}
