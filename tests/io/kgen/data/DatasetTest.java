package io.kgen.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
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

    @Test
    void shapesLookLikeTheirNames() {
        FloatMatrix mixture = Dataset.GAUSSIAN_MIXTURE.sample(2000, 1);
        for (long i = 0; i < mixture.rows(); i++) {
            double r = Math.hypot(mixture.get(i, 0), mixture.get(i, 1));
            assertTrue(r > 1.4 && r < 2.6, "mixture point at radius " + r);
        }
        FloatMatrix gauss = Dataset.GAUSSIAN_4D.sample(20_000, 1);
        for (int k = 0; k < 4; k++) {
            double s = 0, s2 = 0;
            for (long i = 0; i < gauss.rows(); i++) {
                s += gauss.get(i, k);
                s2 += gauss.get(i, k) * gauss.get(i, k);
            }
            assertEquals(0, s / 20_000, 0.05);
            assertEquals(1, s2 / 20_000, 0.05);
        }
        FloatMatrix roll3 = Dataset.SWISS_ROLL_3D.sample(1000, 1);
        for (long i = 0; i < roll3.rows(); i++) assertTrue(roll3.get(i, 1) > -0.3 && roll3.get(i, 1) < 2.3);
        FloatMatrix moons = Dataset.TWO_MOONS.sample(1000, 1);
        for (long i = 0; i < moons.rows(); i++) assertTrue(moons.get(i, 0) > -1.3 && moons.get(i, 0) < 2.3);
    }

    /** The MNIST resource is ordered by digit; the built-in data set must not be. */
    @Test
    void mnistSubsetsMixTheDigits() {
        Mnist mnist = Mnist.load();
        int zeros = 0;
        for (int label : mnist.labels()) if (label == 0) zeros++;
        float[] firstZeros = mnist.images(0, zeros).toArray();
        FloatMatrix subset = Dataset.MNIST.sample(50, 1);
        int outsideZeros = 0;
        for (int i = 0; i < 50; i++) {
            float[] image = subset.row(i);
            boolean found = false;
            for (int z = 0; z < zeros && !found; z++) {
                found = Arrays.equals(image, Arrays.copyOfRange(firstZeros, z * Mnist.PIXELS, (z + 1) * Mnist.PIXELS));
            }
            if (!found) outsideZeros++;
        }
        assertTrue(outsideZeros > 30, "only " + outsideZeros + " of 50 images are not zeros");
    }
}
