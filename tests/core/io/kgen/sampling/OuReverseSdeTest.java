package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Behaviour of Ornstein-Uhlenbeck reverse sampling on a small Swiss roll, as {@link ReverseSdeTest}
 * for the Brownian process: the empirical score memorizes, the smoothed scores (time shift, Monte
 * Carlo, space-time) do not; bad settings are rejected by name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OuReverseSdeTest {
    private static final int N = 40;
    private Engine engine;
    private FloatMatrix data;
    private double spacing; // median nearest-neighbour distance within the data

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        long seed = TestSeeds.seed("OU reverse SDE data");
        data = SwissRoll.sample(N, 0.02, seed);
        spacing = NearestNeighbours.medianSpacing(data);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    private ReverseSde.Builder base() {
        return ReverseSde.builder().process(ForwardProcess.OU).steps(300).seed(11);
    }

    /**
     * Ending where the noise left on the data's scale, sqrt(e^2t - 1), is a thirtieth of the
     * closest pair's distance, every sample collapses onto one training point (the Brownian test's
     * end, t = closest^2 / 1000, in OU time), for the SDE and the ODE.
     */
    @Test
    void empiricalScoreReproducesTrainingPoints() {
        double closest = NearestNeighbours.minSpacing(data);
        double tMin = ForwardProcess.OU.fromBrownianTime(closest * closest / 1000);
        for (boolean ode : new boolean[] {false, true}) {
            FloatMatrix samples = base().tMin(tMin).ode(ode).build().sample(engine, data, 200);
            NearestNeighbours nn = NearestNeighbours.of(samples, data);
            String what = ode ? "ODE" : "SDE";
            assertTrue(nn.maxDistance() < 1e-3 * spacing, what + ": largest distance to the data " + nn.maxDistance()
                    + " should be far below the data spacing " + spacing);
            assertEquals(1.0, nn.memorizationRatio(), 1e-9, what);
        }
    }

    @Test
    void smoothedScoresDoNotMemorize() {
        double sigma = 1.5 * spacing;
        for (ScoreEstimator smoothed : new ScoreEstimator[] {new ScoreEstimator.TimeShift(sigma),
                new ScoreEstimator.MonteCarlo(sigma, 1), new ScoreEstimator.SpaceTime(sigma, 2, 1)}) {
            FloatMatrix samples = base().score(smoothed).build().sample(engine, data, 200);
            NearestNeighbours nn = NearestNeighbours.of(samples, data);
            assertTrue(nn.memorizationRatio() < 0.5, smoothed + ": memorization ratio " + nn.memorizationRatio());
            assertTrue(nn.medianDistance() > 0.05 * spacing, smoothed + ": median distance " + nn.medianDistance());
            // Still samples of the data's shape: near the roll, not spread over the start N(0, I).
            assertTrue(nn.medianDistance() < 2 * spacing, smoothed + ": median distance " + nn.medianDistance());
        }
    }

    @Test
    void sameSeedSameSamples() {
        FloatMatrix a = base().score(new ScoreEstimator.MonteCarlo(spacing, 2)).build().sample(engine, data, 30);
        FloatMatrix b = base().score(new ScoreEstimator.MonteCarlo(spacing, 2)).build().sample(engine, data, 30);
        assertArrayEquals(a.toArray(), b.toArray());
    }

    @Test
    void badSettingsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> ReverseSde.builder().process(null));
        assertTrue(e.getMessage().contains("process"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ForwardProcess.fromCliName("vp"));
        assertTrue(e.getMessage().contains("vp") && e.getMessage().contains("ou"), e.getMessage());
        // t_min above the default T = ln(100 max(1, rms)) (about 6 on this roll).
        e = assertThrows(IllegalArgumentException.class, () -> base().tMin(50).build().sample(engine, data, 5));
        assertTrue(e.getMessage().contains("tMin"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ForwardProcess.OU.times(TimeGrid.GEOMETRIC, 1, 2, 5));
    }

    /** The OU grid is geometric in e^2t - 1 and keeps its exact ends. */
    @Test
    void timeGridIsGeometricInTheNoiseToSignalRatio() {
        double[] t = ForwardProcess.OU.times(TimeGrid.GEOMETRIC, 3, 0.01, 6);
        assertEquals(3, t[0]);
        assertEquals(0.01, t[6]);
        double ratio = Math.expm1(2 * t[1]) / Math.expm1(2 * t[0]);
        for (int k = 0; k < 6; k++) {
            assertTrue(t[k] > t[k + 1]);
            assertEquals(ratio, Math.expm1(2 * t[k + 1]) / Math.expm1(2 * t[k]), 1e-9 * ratio);
        }
        assertArrayEquals(TimeGrid.GEOMETRIC.times(3, 0.01, 6), ForwardProcess.BROWNIAN.times(TimeGrid.GEOMETRIC, 3, 0.01, 6));
    }
}
