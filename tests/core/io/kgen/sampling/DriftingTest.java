package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.RandomStream;
import io.kgen.data.SwissRoll;
import io.kgen.testing.TestSeeds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every drifting field brings spread-out particles to the data without collapsing them (one step
 * of each against a float64 oracle: {@link DriftingStepTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DriftingTest {
    private Engine engine;
    private FloatMatrix data;
    private FloatMatrix start;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        long seed = TestSeeds.seed("drifting");
        data = SwissRoll.sample(500, 0.02, seed);
        start = engine.normal(200, 2, RandomStream.of(seed, 9)); // N(0, I): wider than the roll's arms
    }

    @AfterAll
    void close() {
        engine.close();
    }

    /*
     * Bounds from the statistics' spread, measured over 20 seeds (data, start): median distance
     * to the data after / before was 0.095-0.121 (Laplace), 0.078-0.103 (Gaussian gradient),
     * against the bound 1/4 (sd about 0.01: over 12 sd away); over 4 seeds 0.069-0.082 for the
     * batch form at its default eta. The median particle spacing over the data's was 4.0-5.1 for
     * the plain fields and 2.28-2.49 for the batch form (4 seeds), against the bound 0.2, far
     * above a collapse onto points (spacing 0).
     */
    @Test
    void laplaceDriftBringsParticlesToTheData() {
        checkDrift(Drifting.builder().field(Drifting.Field.LAPLACE).bandwidth(0.1).steps(200).build(), 0.2);
    }

    @Test
    void gaussianGradientDriftBringsParticlesToTheData() {
        checkDrift(Drifting.builder().field(Drifting.Field.GAUSSIAN_GRADIENT).bandwidth(0.1).steps(200).build(), 0.2);
    }

    @Test
    void batchNormalisedLaplaceDriftBringsParticlesToTheData() {
        checkDrift(Drifting.builder().field(Drifting.Field.LAPLACE_BATCH).steps(200).build(), 0.2);
    }

    private void checkDrift(Drifting drifting, double minSpacing) {
        double before = NearestNeighbours.of(start, data).medianDistance();
        FloatMatrix end = drifting.run(engine, data, start);
        NearestNeighbours nn = NearestNeighbours.of(end, data);
        assertTrue(nn.medianDistance() < before / 4, "median distance to the data: " + before + " -> " + nn.medianDistance());
        // The particle repulsion keeps them apart: they must not pile onto a few points.
        double spread = NearestNeighbours.medianSpacing(end) / NearestNeighbours.medianSpacing(data);
        assertTrue(spread > minSpacing, "particle spacing over the data's: " + spread);
    }

    @Test
    void badInputsAreRejected() {
        Drifting d = Drifting.builder().build();
        assertEquals("drifting needs at least 2 particles, got 1",
                assertThrows(IllegalArgumentException.class, () -> d.run(engine, data, FloatMatrix.heap(1, 2))).getMessage());
        assertEquals("particles have 3 columns but data has 2",
                assertThrows(IllegalArgumentException.class, () -> d.targets(engine, data, FloatMatrix.heap(5, 3))).getMessage());
        assertEquals(2, d.targets(engine, data, FloatMatrix.of(new float[][] {{0, 0}, {1, 1}})).rows(), "two particles are enough");
        assertThrows(IllegalArgumentException.class, () -> Drifting.builder().bandwidth(0));
        assertThrows(IllegalArgumentException.class, () -> Drifting.builder().temperatures());
        assertThrows(IllegalArgumentException.class, () -> Drifting.builder().temperatures(0.1, -1));
        assertEquals("fixed negatives and weights are for the LAPLACE_BATCH field, not LAPLACE",
                assertThrows(IllegalArgumentException.class, () -> Drifting.builder().negatives(data).build()).getMessage());
        assertEquals("fixed negatives and weights are for the LAPLACE_BATCH field, not GAUSSIAN_GRADIENT",
                assertThrows(IllegalArgumentException.class, () -> Drifting.builder().field(Drifting.Field.GAUSSIAN_GRADIENT)
                        .weights(new BatchWeights(null, null, new float[500])).build()).getMessage());
    }
}
