package io.kgen.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled digits look like MNIST: right size, balanced labels, stroke images. */
class MnistTest {
    private static Mnist mnist;
    private static FloatMatrix all;

    @BeforeAll
    static void load() {
        // No wall-clock budget here: load time depends on the machine and its load, not on kgen.
        mnist = Mnist.load();
        all = mnist.images(0, mnist.count());
    }

    @Test
    void loadsOnceAndHasTenThousandImages() {
        assertSame(mnist, Mnist.load());
        assertEquals(10_000, mnist.count());
        assertEquals(10_000, all.rows());
        assertEquals(784, all.cols());
    }

    @Test
    void everyDigitIsPresentInPlausibleNumbers() {
        int[] labels = mnist.labels();
        int[] perDigit = new int[10];
        for (int i = 0; i < labels.length; i++) {
            assertEquals(labels[i], mnist.label(i));
            perDigit[labels[i]]++;
            // Documented order: by digit, so labels never decrease.
            if (i > 0) assertTrue(labels[i - 1] <= labels[i], "labels out of order at " + i);
        }
        for (int d = 0; d < 10; d++) {
            assertTrue(perDigit[d] >= 800 && perDigit[d] <= 1300, "digit " + d + " has " + perDigit[d] + " images");
        }
    }

    @Test
    void pixelsAreStrokesInTheUnitInterval() {
        for (int i = 0; i < all.rows(); i++) {
            int bright = 0;
            for (int p = 0; p < all.cols(); p++) {
                float v = all.get(i, p);
                assertTrue(v >= 0 && v <= 1, "image " + i + " pixel " + p + " = " + v);
                if (v > 0.5f) bright++;
            }
            // Real strokes can be thin: the thinnest bundled digit (a 1) has 22 such pixels, 376 images
            // have fewer than 50 (thin 1s, but also 2..9 down to 37); the fullest has 275.
            assertTrue(bright >= 20 && bright <= 400, "image " + i + " has " + bright + " pixels above 0.5");
        }
    }

    @Test
    void meanImageIsDarkAtTheCornersAndBrightInTheCentre() {
        double[] mean = new double[Mnist.PIXELS];
        for (int i = 0; i < all.rows(); i++) {
            for (int p = 0; p < mean.length; p++) mean[p] += all.get(i, p) / all.rows();
        }
        double corners = 0, centre = 0;
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                corners += mean[r * 28 + c] + mean[r * 28 + 27 - c] + mean[(27 - r) * 28 + c]
                        + mean[(27 - r) * 28 + 27 - c];
                centre += mean[(12 + r) * 28 + 12 + c];
            }
        }
        corners /= 64;
        centre /= 16;
        assertTrue(corners < 0.01 && centre > 0.2 && corners < centre,
                "mean corner " + corners + ", mean centre " + centre);
    }

    @Test
    void slicesMatchTheWholeSet() {
        FloatMatrix slice = mnist.images(4321, 3);
        assertEquals(3, slice.rows());
        for (int k = 0; k < 3; k++) assertArrayEquals(all.row(4321 + k), slice.row(k));
        assertArrayEquals(all.row(9999), mnist.images(9999, 1).row(0));
    }

    @Test
    void badArgumentsAreRejected() {
        rejects(() -> mnist.images(-1, 1), "first", "-1");
        rejects(() -> mnist.images(10_000, 1), "first", "10000");
        rejects(() -> mnist.images(0, 0), "count", "0");
        rejects(() -> mnist.images(9_990, 11), "count", "11");
        rejects(() -> mnist.images(0, -5), "count", "-5");
        rejects(() -> mnist.label(-1), "i", "-1");
        rejects(() -> mnist.label(10_000), "i", "10000");
    }

    private static void rejects(org.junit.jupiter.api.function.Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }
}
