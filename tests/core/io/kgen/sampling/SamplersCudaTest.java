package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.RandomStream;
import io.kgen.data.SwissRoll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CPU and CUDA runs of the same sampler from the same seed: the draws are bit-identical, so the
 * trajectories differ only by float32 rounding in the scores, which the stable (contracting)
 * smoothed dynamics keep small. Tolerance: 1e-3 of the data's scale.
 */
@Tag("gpu")
class SamplersCudaTest {
    private static final double TOLERANCE = 1e-3;

    @Test
    void reverseSdeTrajectoriesAgree() {
        FloatMatrix data = SwissRoll.sample(2000, 0.02, 5);
        ReverseSde sde = ReverseSde.builder().score(new ScoreEstimator.TimeShift(0.05)).steps(100).seed(9).build();
        compare(engine -> sde.sample(engine, data, 500));
    }

    /** OU's scaled queries and row scales, and the space-time score's per-query bandwidths, on both backends. */
    @Test
    void ouAndSpaceTimeTrajectoriesAgree() {
        FloatMatrix data = SwissRoll.sample(2000, 0.02, 8);
        for (ScoreEstimator score : new ScoreEstimator[] {new ScoreEstimator.TimeShift(0.05),
                new ScoreEstimator.SpaceTime(0.05, 2, 2)}) {
            ReverseSde sde = ReverseSde.builder().process(ForwardProcess.OU).score(score).steps(100).seed(9).build();
            compare(engine -> sde.sample(engine, data, 500));
        }
    }

    @Test
    void driftingTrajectoriesAgree() {
        FloatMatrix data = SwissRoll.sample(2000, 0.02, 6);
        Drifting drifting = Drifting.builder().field(Drifting.Field.GAUSSIAN_GRADIENT).bandwidth(0.1).steps(50).build();
        compare(engine -> drifting.run(engine, data, engine.normal(300, 2, RandomStream.of(4, 0))));
    }

    /** The batch field is computed on the host for both backends: only the float32 update runs on the device. */
    @Test
    void batchDriftingTrajectoriesAgree() {
        FloatMatrix data = SwissRoll.sample(1000, 0.02, 7);
        Drifting drifting = Drifting.builder().field(Drifting.Field.LAPLACE_BATCH).steps(10).build();
        compare(engine -> drifting.run(engine, data, engine.normal(200, 2, RandomStream.of(4, 1))));
    }

    private static void compare(java.util.function.Function<Engine, FloatMatrix> run) {
        assumeTrue(Engine.cudaDeviceCount() > 0, "no CUDA device");
        float[] cpu;
        float[] gpu;
        try (Engine e = Engine.open(Backend.CPU)) {
            cpu = run.apply(e).toArray();
        }
        try (Engine e = Engine.open(Backend.CUDA)) {
            gpu = run.apply(e).toArray();
        }
        double worst = 0;
        for (int i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(cpu[i] - gpu[i]));
        System.out.println("largest CPU-CUDA difference: " + worst);
        assertTrue(worst < TOLERANCE, "largest CPU-CUDA difference " + worst);
    }
}
