package io.kgen.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Java twin against Random123's known answers, and its transforms against java.lang.Math. */
class PhiloxTest {
    /** Known-answer vectors of Philox4x32-10 (Random123 kat_vectors): counter, key, output. */
    @Test
    void knownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, Philox.block(0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, Philox.block(-1L, -1L, -1L));
        // counter {243f6a88, 85a308d3, 13198a2e, 03707344}, key {a4093822, 299f31d0}
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.block(0x299f31d0a4093822L, 0x85a308d3243f6a88L, 0x0370734413198a2eL));
    }

    @Test
    void portableLogAgreesWithMathLog() {
        SplittableRandom rng = TestSeeds.random("portable log inputs");
        for (int i = 0; i < 200_000; i++) {
            double u = i < 4 ? new double[] {1.0, 0x1p-32, 0.5, 0.7071067811865476}[i] : (rng.nextInt() & 0xFFFFFFFFL) * 0x1p-32 + 0x1p-32;
            double want = Math.log(u);
            assertEquals(want, Philox.portableLog(u), 1e-14 * Math.max(1, Math.abs(want)), "log " + u);
        }
    }

    @Test
    void octantSinCosAgreeWithMath() {
        for (int i = 0; i <= 10_000; i++) {
            double a = Math.PI / 4 * i / 10_000;
            double[] sc = Philox.sincosOctant(a);
            assertEquals(Math.sin(a), sc[0], 2e-16);
            assertEquals(Math.cos(a), sc[1], 2e-16);
        }
    }

    /** Box-Muller through the portable functions equals Box-Muller through java.lang.Math. */
    @Test
    void normalPairsAgreeWithTextbookBoxMuller() {
        SplittableRandom rng = TestSeeds.random("Box-Muller inputs");
        for (int i = 0; i < 100_000; i++) {
            int x0 = rng.nextInt();
            int x1 = rng.nextInt();
            double u = ((x0 & 0xFFFFFFFFL) + 1.0) * 0x1p-32;
            double theta = 2 * Math.PI * ((x1 & 0xFFFFFFFFL) * 0x1p-32);
            double r = Math.sqrt(-2 * Math.log(u));
            float[] z = Philox.normalPair(x0, x1);
            assertEquals(r * Math.cos(theta), z[0], 1e-6 * Math.max(1, r));
            assertEquals(r * Math.sin(theta), z[1], 1e-6 * Math.max(1, r));
        }
    }

    @Test
    void normalsHaveStandardMoments() {
        int n = 1 << 20;
        float[] z = new float[n];
        Philox.fillNormal(42, 3, 5, z);
        double sum = 0, sq = 0, fourth = 0;
        for (float v : z) {
            sum += v;
            sq += v * v;
            fourth += (double) v * v * v * v;
        }
        double mean = sum / n, var = sq / n - mean * mean;
        // 6 standard errors: mean se = 1/sqrt(n), variance se = sqrt(2/n), fourth moment se = sqrt(96/n)
        assertEquals(0, mean, 6 / Math.sqrt(n));
        assertEquals(1, var, 6 * Math.sqrt(2.0 / n));
        assertEquals(3, fourth / n, 6 * Math.sqrt(96.0 / n));
    }

    @Test
    void uniformsLieInTheUnitIntervalWithTheRightMean() {
        int n = 1 << 20;
        float[] u = new float[n];
        Philox.fillUniform(7, 0, 0, u);
        double sum = 0;
        for (float v : u) {
            assertTrue(v >= 0 && v < 1, "uniform out of [0, 1): " + v);
            sum += v;
        }
        assertEquals(0.5, sum / n, 6 * Math.sqrt(1.0 / 12 / n));
    }

    @Test
    void elementsDependOnlyOnTheirIndex() {
        float[] whole = new float[64];
        Philox.fillNormal(9, 1, 100, whole);
        float[] tail = new float[61];
        Philox.fillNormal(9, 1, 103, tail);
        for (int i = 0; i < tail.length; i++) assertEquals(whole[i + 3], tail[i]);
    }
}
