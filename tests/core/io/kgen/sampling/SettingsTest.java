package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kgen.Backend;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import org.junit.jupiter.api.Test;

/**
 * The samplers' settings at the edges of their documented ranges (both sides of each bound), the
 * workspace's reuse of scratch matrices, and the documented layout of the random streams.
 */
class SettingsTest {
    @Test
    void rangesIncludeTheirClosedEnds() {
        assertDoesNotThrow(() -> Dkgm.builder(1).robbinsMonro(1, 1));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(1).robbinsMonro(0, 0.75));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(1).robbinsMonro(1.0001, 0.75));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(1).robbinsMonro(0.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(1).robbinsMonro(0.5, 1.0001));
        assertDoesNotThrow(() -> Dkgm.builder(1).endFraction(0.5).noise(0));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(1).endFraction(0));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(1).endFraction(1));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(1).noise(-1e-9));
        assertThrows(IllegalArgumentException.class, () -> Dkgm.builder(1).steps(0));
        assertDoesNotThrow(() -> new ScoreEstimator.MonteCarlo(1, 1));
        assertDoesNotThrow(() -> new ScoreEstimator.MonteCarlo(1, 0xFFFF));
        assertThrows(IllegalArgumentException.class, () -> new ScoreEstimator.MonteCarlo(1, 0x10000));
        assertThrows(IllegalArgumentException.class, () -> new ScoreEstimator.MonteCarlo(Double.POSITIVE_INFINITY, 1));
        assertThrows(IllegalArgumentException.class, () -> ReverseSde.builder().tMax(1).tMin(1).build());
        assertDoesNotThrow(() -> ReverseSde.builder().tMax(1).tMin(0.999).build());
        assertThrows(IllegalArgumentException.class, () -> Drifting.builder().steps(0));
        assertEquals(0.25, new KdeSampler(0.25, 1).bandwidth());
    }

    @Test
    void timeGridsNeedTMinStrictlyBetweenZeroAndTMax() {
        for (TimeGrid g : TimeGrid.values()) {
            assertThrows(IllegalArgumentException.class, () -> g.times(1, 1, 3), g + ": tMin = tMax");
            assertThrows(IllegalArgumentException.class, () -> g.times(1, 0, 3), g + ": tMin = 0");
            assertThrows(IllegalArgumentException.class, () -> g.times(1, 0.5, 0), g + ": no steps");
            assertEquals(2, g.times(1, 0.5, 1).length, g + ": one step");
        }
        // Geometric: t_k = T (tMin / T)^(k / K); uniform in sqrt(t): sqrt(t_k) evenly spaced.
        double[] geo = TimeGrid.GEOMETRIC.times(8, 1, 3);
        assertEquals(4, geo[1], 1e-12);
        assertEquals(2, geo[2], 1e-12);
        double[] sq = TimeGrid.SQRT_UNIFORM.times(16, 1, 3);
        assertEquals(9, sq[1], 1e-12);
        assertEquals(4, sq[2], 1e-12);
    }

    @Test
    void workspaceReusesMatricesOfTheSameShape() {
        try (Engine engine = Engine.open(Backend.CPU); Workspace work = new Workspace(engine)) {
            DeviceMatrix a = work.buffer("a", 3, 2);
            assertSame(a, work.buffer("a", 3, 2));
            DeviceMatrix wider = work.buffer("a", 3, 4);
            assertEquals(4, wider.cols());
            assertNotSame(a, wider);
            work.close();
            DeviceMatrix fresh = work.buffer("a", 3, 4);
            assertNotSame(wider, fresh, "a closed workspace starts afresh");
            engine.fill(fresh, 1f); // usable: not one of the freed matrices
            assertEquals(1f, fresh.download().get(2, 3));
        }
    }

    /** Purpose in the top 8 bits, step in the next 40, replica in the low 16 (Streams' javadoc). */
    @Test
    void streamsPackPurposeStepAndReplica() {
        assertEquals((3L << 56) | (5L << 16) | 7, Streams.of(3, 5, 7));
        assertEquals(Streams.of(2, 0, 0), Streams.of(2, 1L << 40, 0), "the step keeps 40 bits");
        assertEquals(Streams.of(2, 9, 1), Streams.of(2, 9, 0x10001), "the replica keeps 16 bits");
        assertEquals(0xFFL << 56, Streams.of(0xFF, 0, 0) & (0xFFL << 56));
    }
}
