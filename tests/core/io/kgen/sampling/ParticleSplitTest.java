package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run split into blocks of particles (what a cluster does) gives the same bits as one run:
 * every draw is keyed by the particle's place in the whole run. Blocks of 1, 6 and 16 particles
 * out of 23, so that no block lines up with a tile.
 */
class ParticleSplitTest {
    private static final long[] FIRST = {0, 1, 7, 23};
    private static Engine engine;
    private static FloatMatrix data;

    @BeforeAll
    static void open() {
        engine = Engine.cpu(2);
        data = Dataset.SWISS_ROLL.sample(257, 4);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private interface Run {
        FloatMatrix sample(long first, long count);
    }

    private static void assertSplitIsOneRun(Run run, String what) {
        FloatMatrix whole = run.sample(0, FIRST[FIRST.length - 1]);
        for (int b = 0; b + 1 < FIRST.length; b++) {
            long count = FIRST[b + 1] - FIRST[b];
            FloatMatrix block = run.sample(FIRST[b], count);
            assertArrayEquals(whole.copyRows(FIRST[b], count).toArray(), block.toArray(),
                    what + ": particles " + FIRST[b] + " .. " + (FIRST[b + 1] - 1));
        }
    }

    @Test
    void reverseSdeBlocksAreRowsOfOneRun() {
        for (ScoreEstimator score : List.of(new ScoreEstimator.Empirical(), new ScoreEstimator.TimeShift(0.05),
                new ScoreEstimator.MonteCarlo(0.05, 3))) {
            ReverseSde sde = ReverseSde.builder().score(score).steps(25).seed(99).build();
            assertSplitIsOneRun((first, count) -> sde.sample(engine, data, first, count), score.toString());
        }
        ReverseSde ode = ReverseSde.builder().ode(true).steps(25).seed(99).build();
        assertSplitIsOneRun((first, count) -> ode.sample(engine, data, first, count), "probability-flow ODE");
    }

    /** OU and the space-time score, whose per-particle times are draws of their own stream. */
    @Test
    void ouAndSpaceTimeBlocksAreRowsOfOneRun() {
        for (ForwardProcess process : ForwardProcess.values()) {
            for (ScoreEstimator score : List.of(new ScoreEstimator.Empirical(), new ScoreEstimator.SpaceTime(0.05, 2, 2))) {
                ReverseSde sde = ReverseSde.builder().process(process).score(score).steps(25).seed(99).build();
                assertSplitIsOneRun((first, count) -> sde.sample(engine, data, first, count), process + " " + score);
            }
        }
    }

    @Test
    void kdeBlocksAreRowsOfOneRun() {
        KdeSampler kde = new KdeSampler(0.1, 5);
        assertSplitIsOneRun((first, count) -> kde.sample(engine, data, first, count), "KDE sampling");
    }

    @Test
    void aNegativeFirstParticleIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new KdeSampler(0.1, 5).sample(engine, data, -1, 3));
        assertEquals("firstParticle must be >= 0, got -1", e.getMessage());
    }
}
