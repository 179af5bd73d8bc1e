package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import org.junit.jupiter.api.Test;

/**
 * Drifting with the data's pull computed elsewhere (a cluster's job) takes the same steps as with
 * the data in the engine: a pull that is the engine's own kernel sums gives the same bits.
 */
class DriftingPullTest {
    @Test
    void anOutsidePullTakesTheSameSteps() {
        FloatMatrix data = Dataset.SWISS_ROLL.sample(211, 3);
        FloatMatrix start = Dataset.SWISS_ROLL.sample(31, 4);
        try (Engine engine = Engine.cpu(2)) {
            for (Drifting.Field field : new Drifting.Field[] {Drifting.Field.LAPLACE, Drifting.Field.GAUSSIAN_GRADIENT}) {
                Drifting drifting = Drifting.builder().field(field).bandwidth(0.4).steps(7).build();
                int[] calls = {0};
                FloatMatrix outside = drifting.run(engine, (e, spec, x) -> {
                    calls[0]++;
                    return e.kernelSums(spec, x, data).mean();
                }, start);
                assertArrayEquals(drifting.run(engine, data, start).toArray(), outside.toArray(), field.toString());
                assertEquals(7, calls[0], "one pull per step");
            }
            Drifting drifting = Drifting.builder().steps(2).build();
            var e = assertThrows(IllegalArgumentException.class,
                    () -> drifting.run(engine, (en, spec, x) -> FloatMatrix.heap(3, 2), start));
            assertEquals("the pull's means must be 31 x 2, got 3 x 2", e.getMessage());
        }
    }
}
