package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
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
        start = engine.normal(200, 2, seed, 9, 0); // N(0, I): wider than the roll's arms
    }

    @AfterAll
    void close() {
        engine.close();
    }

    @Test
    void laplaceDriftBringsParticlesToTheData() {
        checkDrift(Drifting.builder().field(Drifting.Field.LAPLACE).bandwidth(0.1).steps(200).build());
    }

    @Test
    void gaussianGradientDriftBringsParticlesToTheData() {
        checkDrift(Drifting.builder().field(Drifting.Field.GAUSSIAN_GRADIENT).bandwidth(0.1).steps(200).build());
    }

    @Test
    void batchNormalisedLaplaceDriftBringsParticlesToTheData() {
        checkDrift(Drifting.builder().field(Drifting.Field.LAPLACE_BATCH).steps(200).build());
    }

    private void checkDrift(Drifting drifting) {
        double before = NearestNeighbours.of(start, data).medianDistance();
        FloatMatrix end = drifting.run(engine, data, start);
        NearestNeighbours nn = NearestNeighbours.of(end, data);
        assertTrue(nn.medianDistance() < before / 4, "median distance to the data: " + before + " -> " + nn.medianDistance());
        // The particle repulsion keeps them apart: they must not pile onto a few points.
        double spread = NearestNeighbours.medianSpacing(end);
        assertTrue(spread > 0.2 * NearestNeighbours.medianSpacing(data), "particle spacing " + spread);
    }

    @Test
    void badInputsAreRejected() {
        Drifting d = Drifting.builder().build();
        assertThrows(IllegalArgumentException.class, () -> d.run(engine, data, FloatMatrix.heap(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> d.run(engine, data, FloatMatrix.heap(5, 3)));
        assertThrows(IllegalArgumentException.class, () -> Drifting.builder().bandwidth(0));
        assertThrows(IllegalArgumentException.class, () -> Drifting.builder().temperatures());
        assertThrows(IllegalArgumentException.class, () -> Drifting.builder().temperatures(0.1, -1));
    }
}
