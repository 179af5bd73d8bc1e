package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import io.kgen.metrics.Metrics;
import io.kgen.testing.TestSeeds;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The samplers by name: every one draws, its knob is the one it claims, the options are checked. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MethodTest {
    private Engine engine;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    @Test
    void namesRoundTripAndUnknownNamesListTheKnownOnes() {
        for (Method m : Method.values()) assertEquals(m, Method.fromCliName(m.cliName()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Method.fromCliName("gan"));
        assertTrue(e.getMessage().contains("'gan'") && e.getMessage().contains("drift-batch"), e.getMessage());
    }

    @Test
    void everyMethodDrawsFiniteReproducibleSamplesThatTheKnobChanges() {
        long seed = TestSeeds.seed("methods");
        FloatMatrix data = Dataset.SWISS_ROLL.sample(101, seed);
        for (Method m : Method.values()) {
            Method.Options o = Method.Options.defaults(seed).withSteps(m == Method.KDE ? 0 : 7);
            FloatMatrix a = m.sample(engine, data, 13, o);
            assertEquals(13, a.rows(), m.cliName());
            assertEquals(2, a.cols(), m.cliName());
            for (float v : a.toArray()) assertTrue(Float.isFinite(v), m.cliName() + " gave " + v);
            assertArrayEquals(a.toArray(), m.sample(engine, data, 13, o).toArray(), m.cliName() + " is reproducible");
            FloatMatrix wider = m.sample(engine, data, 13, o.withFactor(3 * m.defaultFactor()));
            assertFalse(Arrays.equals(a.toArray(), wider.toArray()), m.cliName() + ": the knob must change the samples");
        }
    }

    /** The empirical score reproduces training points when it runs to the end; stopped early, it does not. */
    @Test
    void stoppingTheEmpiricalScoreEarlyEndsTheCopies() {
        long seed = TestSeeds.seed("final noise");
        FloatMatrix data = Dataset.SWISS_ROLL.sample(200, seed);
        Method.Options o = Method.Options.defaults(seed).withSteps(200);
        double toEnd = Metrics.memorizationRatio(engine, Method.SDE.sample(engine, data, 200, o), data);
        double early = Metrics.memorizationRatio(engine, Method.SDE.sample(engine, data, 200, o.withFactor(4)), data);
        assertTrue(toEnd > 0.9, "memorization ratio run to the end: " + toEnd);
        assertTrue(early < 0.5 * toEnd, "memorization ratio stopped at 4 spacings: " + early + " (to the end " + toEnd + ")");
    }

    @Test
    void optionsRejectWhatNoMethodTakes() {
        assertThrows(IllegalArgumentException.class, () -> new Method.Options(-1, 0, 1, false, 0, Progress.NONE));
        assertThrows(IllegalArgumentException.class, () -> new Method.Options(Double.POSITIVE_INFINITY, 0, 1, false, 0,
                Progress.NONE));
        assertThrows(IllegalArgumentException.class, () -> new Method.Options(Double.NaN, -1, 1, false, 0, Progress.NONE));
        assertThrows(IllegalArgumentException.class, () -> new Method.Options(Double.NaN, 0, 0, false, 0, Progress.NONE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReverseSde.builder().tMin(1e-3).finalNoise(0.5).build());
        assertTrue(e.getMessage().contains("not both"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Method.Options(Double.NaN, 0, 1, false, ForwardProcess.OU, 0.5, 0, Progress.NONE));
        assertTrue(e.getMessage().contains("window") && e.getMessage().contains("0.5"), e.getMessage());
        FloatMatrix data = Dataset.SWISS_ROLL.sample(20, 1);
        for (Method m : Method.values()) {
            if (m.isReverseSde()) continue;
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.sample(engine, data, 3, Method.Options.defaults(0).withProcess(ForwardProcess.OU)));
            assertTrue(e.getMessage().contains("process ou") && e.getMessage().contains(m.cliName()), e.getMessage());
        }
    }
}
