package io.kgen.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.SwissRoll;
import io.kgen.testing.TestSeeds;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Behaviour of reverse-time sampling on a small Swiss roll: the empirical score memorizes (every
 * sample is a training point), the smoothed scores do not; runs are reproducible from the seed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReverseSdeTest {
    private static final int N = 40;
    private Engine engine;
    private FloatMatrix data;
    private double spacing; // median nearest-neighbour distance within the data

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
        long seed = TestSeeds.seed("reverse SDE data");
        data = SwissRoll.sample(N, 0.02, seed);
        spacing = NearestNeighbours.medianSpacing(data);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    private ReverseSde.Builder base() {
        return ReverseSde.builder().steps(300).seed(11);
    }

    /** Ending well below the closest pair's distance, every sample collapses onto one training point. */
    @Test
    void empiricalScoreReproducesTrainingPoints() {
        double closest = NearestNeighbours.minSpacing(data);
        double tMin = closest * closest / 1000;
        FloatMatrix samples = base().tMin(tMin).build().sample(engine, data, 200);
        NearestNeighbours nn = NearestNeighbours.of(samples, data);
        assertTrue(nn.maxDistance() < 1e-3 * spacing, "largest distance to the data " + nn.maxDistance()
                + " should be far below the data spacing " + spacing);
        assertEquals(1.0, nn.memorizationRatio(), 1e-9);
    }

    @Test
    void smoothedScoresDoNotMemorize() {
        double sigma = 1.5 * spacing;
        for (ScoreEstimator smoothed : new ScoreEstimator[] {new ScoreEstimator.TimeShift(sigma),
                new ScoreEstimator.MonteCarlo(sigma, 1)}) {
            FloatMatrix samples = base().score(smoothed).build().sample(engine, data, 200);
            NearestNeighbours nn = NearestNeighbours.of(samples, data);
            assertTrue(nn.memorizationRatio() < 0.5, smoothed + ": memorization ratio " + nn.memorizationRatio());
            assertTrue(nn.medianDistance() > 0.05 * spacing, smoothed + ": median distance " + nn.medianDistance());
            // Still samples of the data's shape: near the roll, not spread over the start Gaussian.
            assertTrue(nn.medianDistance() < 2 * spacing, smoothed + ": median distance " + nn.medianDistance());
        }
    }

    @Test
    void sameSeedSameSamplesOtherSeedOtherSamples() {
        ScoreEstimator mc = new ScoreEstimator.MonteCarlo(spacing, 2);
        float[] a = base().score(mc).build().sample(engine, data, 50).toArray();
        float[] b = base().score(mc).build().sample(engine, data, 50).toArray();
        float[] c = base().score(mc).seed(12).build().sample(engine, data, 50).toArray();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c), "another seed should give other samples");
    }

    @Test
    void probabilityFlowOdeIsDeterministicGivenTheStart() {
        FloatMatrix ode = base().ode(true).tweedie(false).build().sample(engine, data, 100);
        FloatMatrix again = base().ode(true).tweedie(false).build().sample(engine, data, 100);
        assertArrayEquals(ode.toArray(), again.toArray());
        NearestNeighbours nn = NearestNeighbours.of(ode, data);
        assertTrue(nn.medianDistance() < spacing, "ODE samples end near the data: " + nn.medianDistance());
    }

    @Test
    void progressIsReportedAndCancellationStopsTheRun() {
        int[] seen = {0};
        Progress stopAtThree = new Progress() {
            @Override
            public void step(int done, int total) {
                seen[0] = done;
                assertEquals(300, total);
            }

            @Override
            public boolean cancelled() {
                return seen[0] >= 3;
            }
        };
        assertThrows(CancellationException.class, () -> base().progress(stopAtThree).build().sample(engine, data, 10));
        assertEquals(3, seen[0]);
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ReverseSde.builder().steps(0));
        assertThrows(IllegalArgumentException.class, () -> ReverseSde.builder().tMin(-1));
        assertThrows(IllegalArgumentException.class, () -> ReverseSde.builder().tMax(1).tMin(2).build());
        assertThrows(IllegalArgumentException.class, () -> new ScoreEstimator.TimeShift(0));
        assertThrows(IllegalArgumentException.class, () -> new ScoreEstimator.MonteCarlo(1, 0));
        assertThrows(IllegalArgumentException.class, () -> base().build().sample(engine, data, 0));
    }

    @Test
    void timeGridsRunFromTMaxDownToTMin() {
        for (TimeGrid g : TimeGrid.values()) {
            double[] t = g.times(50, 1e-4, 7);
            assertEquals(8, t.length);
            assertEquals(50, t[0]);
            assertEquals(1e-4, t[7]);
            for (int k = 0; k < 7; k++) assertTrue(t[k] > t[k + 1], g + " must decrease");
        }
        double[] s = TimeGrid.SQRT_UNIFORM.times(4, 1, 2);
        assertEquals(2.25, s[1], 1e-12); // sqrt: 2, 1.5, 1
        double[] geo = TimeGrid.GEOMETRIC.times(4, 1, 2);
        assertEquals(2, geo[1], 1e-12);
    }
}
