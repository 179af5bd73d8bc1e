package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every sampler reports steps 1..K of K, in order, and stops when cancelled. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProgressTest {
    private static final FloatMatrix DATA = FloatMatrix.of(new float[][] {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0.5f, 0.5f}});
    private Engine engine;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    /** Records (done, total) and cancels after {@code stopAfter} steps (0: never). */
    private static final class Recorder implements Progress {
        final List<Integer> done = new ArrayList<>();
        final List<Integer> totals = new ArrayList<>();
        final int stopAfter;

        Recorder(int stopAfter) {
            this.stopAfter = stopAfter;
        }

        @Override
        public void step(int d, int total) {
            done.add(d);
            totals.add(total);
        }

        @Override
        public boolean cancelled() {
            return stopAfter > 0 && done.size() >= stopAfter;
        }
    }

    private static List<Integer> oneTo(int k) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= k; i++) out.add(i);
        return out;
    }

    private static void assertSteps(Recorder r, int k) {
        assertEquals(oneTo(k), r.done);
        assertEquals(k, r.totals.stream().distinct().count() == 1 ? r.totals.get(0) : -1);
    }

    @Test
    void reverseSdeReportsEveryStep() {
        Recorder r = new Recorder(0);
        ReverseSde.builder().steps(7).progress(r).build().sample(engine, DATA, 3);
        assertSteps(r, 7);
    }

    @Test
    void dkgmReportsEveryStepAndStops() {
        Recorder r = new Recorder(0);
        Dkgm.builder(0.2).steps(6).progress(r).build().sample(engine, DATA, 3);
        assertSteps(r, 6);
        Recorder stop = new Recorder(2);
        assertThrows(CancellationException.class, () -> Dkgm.builder(0.2).steps(6).progress(stop).build().sample(engine, DATA, 3));
        assertEquals(List.of(1, 2), stop.done);
    }

    @Test
    void driftingReportsEveryStepButTargetsReportNothing() {
        FloatMatrix particles = FloatMatrix.of(new float[][] {{0.2f, 0.1f}, {0.9f, 0.8f}, {0.4f, 0.6f}});
        Recorder r = new Recorder(0);
        Drifting drifting = Drifting.builder().steps(5).progress(r).build();
        drifting.run(engine, DATA, particles);
        assertSteps(r, 5);
        Recorder quiet = new Recorder(0);
        Drifting.builder().steps(5).progress(quiet).build().targets(engine, DATA, particles);
        assertEquals(List.of(), quiet.done, "targets are one step and report nothing");
        Recorder stop = new Recorder(4);
        assertThrows(CancellationException.class, () -> Drifting.builder().steps(5).progress(stop).build().run(engine, DATA, particles));
        assertEquals(List.of(1, 2, 3, 4), stop.done);
    }
}
