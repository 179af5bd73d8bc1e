package io.kgen.random;

/**
 * Philox4x32-10 counter-based draws, bit for bit the same as the native CPU and CUDA backends
 * ({@code native/src/common/philox.h}). Element {@code k} of a stream is lane {@code k % 4} of
 * the Philox block {@code k / 4}, keyed by the seed; the counter is (block, stream).
 *
 * <p>Normals come from Box-Muller evaluated with IEEE double {@code + - * /} and {@code sqrt}
 * only (Java's double arithmetic is strict), so they match the native ones exactly.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final double TWO_POW_MINUS_32 = 2.3283064365386963e-10;
    private static final double HALF_PI = 1.5707963267948966;
    private static final double LN2 = 0.6931471805599453;
    private static final double SQRT2 = 1.4142135623730951;

    private Philox() {}

    /** The four 32-bit words of Philox4x32-10 for counter (block, stream) under key seed. */
    public static int[] block(long seed, long block, long stream) {
        int c0 = (int) block, c1 = (int) (block >>> 32), c2 = (int) stream, c3 = (int) (stream >>> 32);
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            int n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /** Uniform in [0, 1) from the top 24 bits of a word (exact in float). */
    public static float uniformFromBits(int bits) {
        return (float) (bits >>> 8) * (1.0f / 16777216.0f);
    }

    /** Standard normal element k of stream {@code stream}. */
    public static float normal(long seed, long stream, long k) {
        int[] b = block(seed, k >>> 2, stream);
        int lane = (int) (k & 3);
        float[] pair = normalPair(b[lane & 2], b[(lane & 2) + 1]);
        return pair[lane & 1];
    }

    /** Uniform [0, 1) element k of stream {@code stream}. */
    public static float uniform(long seed, long stream, long k) {
        return uniformFromBits(block(seed, k >>> 2, stream)[(int) (k & 3)]);
    }

    /** Fills {@code out} with normal elements offset .. offset + out.length - 1. */
    public static void fillNormal(long seed, long stream, long offset, float[] out) {
        for (int i = 0; i < out.length; i++) out[i] = normal(seed, stream, offset + i);
    }

    /** Fills {@code out} with uniform elements offset .. offset + out.length - 1. */
    public static void fillUniform(long seed, long stream, long offset, float[] out) {
        for (int i = 0; i < out.length; i++) out[i] = uniform(seed, stream, offset + i);
    }

    /** Box-Muller on two words: radius from the first, angle from the second. */
    static float[] normalPair(int x0, int x1) {
        double u = ((x0 & 0xFFFFFFFFL) + 1.0) * TWO_POW_MINUS_32; // (0, 1]
        double radius = Math.sqrt(-2.0 * portableLog(u));
        double quarterTurns = (x1 & 0xFFFFFFFFL) * (TWO_POW_MINUS_32 * 4.0);
        int q = (int) quarterTurns;
        double r = quarterTurns - q;
        double s;
        double c;
        if (r <= 0.5) {
            double[] sc = sincosOctant(r * HALF_PI);
            s = sc[0];
            c = sc[1];
        } else {
            double[] sc = sincosOctant((1.0 - r) * HALF_PI);
            c = sc[0];
            s = sc[1];
        }
        double cos;
        double sin;
        switch (q) {
            case 0: cos = c; sin = s; break;
            case 1: cos = -s; sin = c; break;
            case 2: cos = -c; sin = -s; break;
            default: cos = s; sin = -c; break;
        }
        return new float[] {(float) (radius * cos), (float) (radius * sin)};
    }

    /** log(u) for u in (0, 1], the same operation sequence as the native twin. */
    static double portableLog(double u) {
        long bits = Double.doubleToRawLongBits(u);
        long e = ((bits >> 52) & 0x7ff) - 1023;
        double mant = Double.longBitsToDouble((bits & 0x000fffffffffffffL) | 0x3ff0000000000000L);
        if (mant > SQRT2) {
            mant = mant * 0.5;
            e += 1;
        }
        double z = (mant - 1.0) / (mant + 1.0);
        double z2 = z * z;
        double p = 1.0 / 17.0;
        p = 1.0 / 15.0 + z2 * p;
        p = 1.0 / 13.0 + z2 * p;
        p = 1.0 / 11.0 + z2 * p;
        p = 1.0 / 9.0 + z2 * p;
        p = 1.0 / 7.0 + z2 * p;
        p = 1.0 / 5.0 + z2 * p;
        p = 1.0 / 3.0 + z2 * p;
        double logMant = 2.0 * (z + z * (z2 * p));
        return (double) e * LN2 + logMant;
    }

    /** {sin a, cos a} for a in [0, pi/4]. */
    static double[] sincosOctant(double a) {
        double a2 = a * a;
        double ps = -1.0 / 1307674368000.0;
        ps = 1.0 / 6227020800.0 + a2 * ps;
        ps = -1.0 / 39916800.0 + a2 * ps;
        ps = 1.0 / 362880.0 + a2 * ps;
        ps = -1.0 / 5040.0 + a2 * ps;
        ps = 1.0 / 120.0 + a2 * ps;
        ps = -1.0 / 6.0 + a2 * ps;
        double s = a + (a * a2) * ps;
        double pc = 1.0 / 20922789888000.0;
        pc = -1.0 / 87178291200.0 + a2 * pc;
        pc = 1.0 / 479001600.0 + a2 * pc;
        pc = -1.0 / 3628800.0 + a2 * pc;
        pc = 1.0 / 40320.0 + a2 * pc;
        pc = -1.0 / 720.0 + a2 * pc;
        pc = 1.0 / 24.0 + a2 * pc;
        pc = -0.5 + a2 * pc;
        double c = 1.0 + a2 * pc;
        return new double[] {s, c};
    }
}
