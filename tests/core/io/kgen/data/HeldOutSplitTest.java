package io.kgen.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.testing.TestSeeds;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The training / held-out split of the built-in data: disjoint, fixed for MNIST, the same law for the synthetic sets. */
class HeldOutSplitTest {
    @Test
    void mnistTrainingAndHeldOutDigitsPartitionTheBundledSet() {
        Dataset mnist = Dataset.MNIST;
        assertEquals(8_000, mnist.capacity(false));
        assertEquals(2_000, mnist.capacity(true));
        // Two different seeds: the split must not follow the user's seed.
        Set<String> train = keys(mnist.sample(8_000, TestSeeds.seed("MNIST training")));
        Set<String> held = keys(mnist.heldOut(2_000, TestSeeds.seed("MNIST held out")));
        Set<String> all = keys(Mnist.load().images(0, Mnist.load().count()));
        Set<String> both = new HashSet<>(train);
        both.retainAll(held);
        // The bundled set may hold a few identical images; a digit shared by the parts would be one.
        Set<String> duplicated = new HashSet<>();
        Set<String> seen = new HashSet<>();
        float[] pixels = Mnist.load().images(0, Mnist.load().count()).toArray();
        for (int i = 0; i < Mnist.load().count(); i++) {
            String k = Arrays.toString(Arrays.copyOfRange(pixels, i * Mnist.PIXELS, (i + 1) * Mnist.PIXELS));
            if (!seen.add(k)) duplicated.add(k);
        }
        both.removeAll(duplicated);
        assertTrue(both.isEmpty(), both.size() + " digits are both training and held out");
        Set<String> union = new HashSet<>(train);
        union.addAll(held);
        assertEquals(all, union, "training and held-out digits together are the bundled set");
    }

    @Test
    void mnistPartsHaveTheirSizesAndSayWhenAskedForMore() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.MNIST.sample(8_001, 1));
        assertTrue(e.getMessage().contains("8000 training"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dataset.MNIST.heldOut(2_001, 1));
        assertTrue(e.getMessage().contains("2000 held-out"), e.getMessage());
    }

    @Test
    void syntheticHeldOutPointsAreFreshDrawsOfTheSameLaw() {
        long seed = TestSeeds.seed("synthetic held out");
        for (Dataset d : Dataset.values()) {
            if (d == Dataset.MNIST) continue;
            FloatMatrix train = d.sample(4000, seed);
            FloatMatrix held = d.heldOut(4000, seed);
            assertFalse(Arrays.equals(train.row(0), held.row(0)), d + ": held-out points must be new draws");
            assertTrue(Arrays.equals(held.toArray(), d.heldOut(4000, seed).toArray()), d + ": reproducible");
            for (int c = 0; c < d.dimension(); c++) {
                double[] a = moments(train, c), b = moments(held, c);
                // Means of 4000 draws differ by about sqrt(2 var / 4000) = 0.022 sd; 0.15 sd is 6.7 of those.
                double sd = Math.sqrt(a[1]);
                assertEquals(a[0], b[0], 0.15 * sd, d + " column " + c + " mean");
                assertEquals(a[1], b[1], 0.15 * a[1], d + " column " + c + " variance");
            }
        }
    }

    private static double[] moments(FloatMatrix x, int c) {
        double sum = 0, squares = 0;
        for (long i = 0; i < x.rows(); i++) sum += x.get(i, c);
        double mean = sum / x.rows();
        for (long i = 0; i < x.rows(); i++) squares += (x.get(i, c) - mean) * (x.get(i, c) - mean);
        return new double[] {mean, squares / (x.rows() - 1)};
    }

    private static Set<String> keys(FloatMatrix x) {
        Set<String> out = new HashSet<>();
        for (long i = 0; i < x.rows(); i++) out.add(Arrays.toString(x.row(i)));
        return out;
    }
}
