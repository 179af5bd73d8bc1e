package io.kgen.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.testing.FalseFailure;
import io.kgen.testing.TestSeeds;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The built-in data sets: reproducible from the seed, with the shapes they claim. */
class DatasetTest {
    @Test
    void sameSeedSamePointsAndTheRightDimension() {
        for (Dataset d : Dataset.values()) {
            int n = d == Dataset.MNIST ? 20 : 500;
            FloatMatrix a = d.sample(n, 3);
            assertEquals(n, a.rows());
            assertEquals(d.dimension(), a.cols());
            assertArrayEquals(a.toArray(), d.sample(n, 3).toArray(), d + " must be reproducible");
            assertFalse(Arrays.equals(a.toArray(), d.sample(n, 4).toArray()), d + " must depend on the seed");
            assertEquals(d, Dataset.fromCliName(d.cliName()));
        }
        assertThrows(IllegalArgumentException.class, () -> Dataset.fromCliName("cifar"));
    }

    /**
     * Bounds from the generators' noise: every point-wise check fails for a correct generator with
     * probability at most RATE over all points (a Gaussian coordinate beyond z sigma, z from
     * FalseFailure.sigmas(points); a 2-d Gaussian vector beyond the same z: P = exp(-z^2 / 2)).
     */
    @Test
    void shapesLookLikeTheirNames() {
        long seed = TestSeeds.seed("data set shapes");
        FloatMatrix mixture = Dataset.GAUSSIAN_MIXTURE.sample(2000, seed);
        double z = FalseFailure.sigmas(2000 + 1000 + 1000);
        for (long i = 0; i < mixture.rows(); i++) {
            // Components at radius 2, noise 0.1 per coordinate: |r - 2| <= 0.1 |xi|.
            double r = Math.hypot(mixture.get(i, 0), mixture.get(i, 1));
            assertTrue(Math.abs(r - 2) < 0.1 * z, "mixture point at radius " + r);
        }
        int n = 20_000;
        FloatMatrix gauss = Dataset.GAUSSIAN_4D.sample(n, seed);
        double zMean = FalseFailure.sigmas(8);
        double[] ratio = FalseFailure.varianceRatio(n, 8); // sum of z^2 about the known mean 0: chi-square, n dof
        for (int k = 0; k < 4; k++) {
            double s = 0, s2 = 0;
            for (long i = 0; i < gauss.rows(); i++) {
                s += gauss.get(i, k);
                s2 += gauss.get(i, k) * gauss.get(i, k);
            }
            assertEquals(0, s / n, zMean / Math.sqrt(n), "mean of coordinate " + k);
            assertTrue(s2 / n >= ratio[0] && s2 / n <= ratio[1], "second moment of coordinate " + k + ": " + s2 / n);
        }
        // Heights uniform in [0, 2) and moons' x in [-1, 2], each plus noise 0.05.
        FloatMatrix roll3 = Dataset.SWISS_ROLL_3D.sample(1000, seed);
        for (long i = 0; i < roll3.rows(); i++) assertTrue(roll3.get(i, 1) > -0.05 * z && roll3.get(i, 1) < 2 + 0.05 * z);
        FloatMatrix moons = Dataset.TWO_MOONS.sample(1000, seed);
        for (long i = 0; i < moons.rows(); i++) assertTrue(moons.get(i, 0) > -1 - 0.05 * z && moons.get(i, 0) < 2 + 0.05 * z);
    }

    /** The MNIST resource is ordered by digit; the built-in data set must not be. */
    @Test
    void mnistSubsetsMixTheDigits() {
        Mnist mnist = Mnist.load();
        int zeros = 0;
        for (int label : mnist.labels()) if (label == 0) zeros++;
        float[] firstZeros = mnist.images(0, zeros).toArray();
        FloatMatrix subset = Dataset.MNIST.sample(50, TestSeeds.seed("MNIST subset"));
        int outsideZeros = 0;
        for (int i = 0; i < 50; i++) {
            float[] image = subset.row(i);
            boolean found = false;
            for (int z = 0; z < zeros && !found; z++) {
                found = Arrays.equals(image, Arrays.copyOfRange(firstZeros, z * Mnist.PIXELS, (z + 1) * Mnist.PIXELS));
            }
            if (!found) outsideZeros++;
        }
        // About 10% of the digits are zeros: outsideZeros ~ Binomial(50, 0.9), mean 45, and
        // P(outsideZeros <= 30) < C(50, 20) 0.1^20 < 5e-7 for a uniform pick.
        assertTrue(outsideZeros > 30, "only " + outsideZeros + " of 50 images are not zeros");
    }
}
