package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.Matrix;
import io.kgen.data.SwissRoll;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sampler checks its data for NaN once: the engine marks a context matrix it has scanned and
 * trusts the mark until it writes the matrix, so 100 steps make one scan of the unchanged data
 * (and one per step of the particles, which every step rewrites).
 */
class DataScanTest {
    private static final int N = 53;
    private static final int STEPS = 100;

    /** Scans seen per context matrix. */
    private static Map<Matrix, Integer> countScans(Engine engine) {
        Map<Matrix, Integer> scans = new IdentityHashMap<>();
        engine.onValueScan(m -> scans.merge(m, 1, Integer::sum));
        return scans;
    }

    @Test
    void reverseSdeScansItsDataOnce() {
        FloatMatrix host = SwissRoll.sample(N, 0.02, 5);
        for (ScoreEstimator score : new ScoreEstimator[] {new ScoreEstimator.Empirical(),
                new ScoreEstimator.MonteCarlo(0.05, 2)}) {
            try (Engine engine = Engine.open(Backend.CPU); DeviceMatrix data = engine.upload(host)) {
                Map<Matrix, Integer> scans = countScans(engine);
                ReverseSde.builder().score(score).steps(STEPS).seed(3).build().sample(engine, data, 17);
                assertEquals(1, scans.getOrDefault(data, 0), score + ": scans of the unchanged data");
                int total = scans.values().stream().mapToInt(Integer::intValue).sum();
                assertTrue(total >= STEPS, score + ": the particles, rewritten each step, are scanned each step ("
                        + total + " scans)");
            }
        }
    }

    @Test
    void driftingScansItsDataOnce() {
        FloatMatrix host = SwissRoll.sample(N, 0.02, 6);
        try (Engine engine = Engine.open(Backend.CPU)) {
            Map<Matrix, Integer> scans = countScans(engine);
            Drifting.builder().steps(STEPS).build().run(engine, host, 31, 4);
            long dataScans = scans.entrySet().stream().filter(e -> e.getKey().rows() == N)
                    .mapToInt(Map.Entry::getValue).sum();
            assertEquals(1, dataScans, "scans of the uploaded data set over " + STEPS + " drifting steps");
        }
    }
}
