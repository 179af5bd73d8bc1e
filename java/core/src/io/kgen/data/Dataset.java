package io.kgen.data;

import io.kgen.CliNames;
import io.kgen.FloatMatrix;
import io.kgen.random.Philox;

/**
 * The built-in data sets, each with a training part ({@link #sample}) and a held-out part
 * ({@link #heldOut}) that no sampler sees, against which samples are judged. The synthetic ones
 * are drawn from the Philox stream, so a (size, seed) pair gives the same points on every
 * machine; their held-out points are fresh draws of the same law (Philox counters that training
 * draws never reach). MNIST's split is fixed: see {@link #MNIST_TRAINING}.
 */
public enum Dataset {
    /** The 2-d Swiss roll of {@link SwissRoll}, noise 0.05. */
    SWISS_ROLL(2),
    /** The 3-d Swiss roll: the 2-d roll in (x, z) with height y uniform in [0, 2], noise 0.05. */
    SWISS_ROLL_3D(3),
    /** Two interleaved half circles, noise 0.05. */
    TWO_MOONS(2),
    /** Eight Gaussians (std 0.1) evenly on the circle of radius 2. */
    GAUSSIAN_MIXTURE(2),
    /**
     * The standard 4-d Gaussian N(0, I): the paper's 4-d Gaussian experiment does not publish its
     * covariance, so kgen takes the identity (its KL to a fitted Gaussian is then simple to read).
     */
    GAUSSIAN_4D(4),
    /**
     * Real MNIST digits, 28 x 28 in [0, 1] (see {@link Mnist}): n of the 8,000 training digits
     * picked by a seeded shuffle, so that any n mixes the digits (the resource is ordered by
     * digit); the other 2,000 are held out.
     */
    MNIST(784);

    /**
     * MNIST's training digits: the first 8,000 of the 10,000 bundled ones in the order of a
     * Philox shuffle under the fixed key {@link #MNIST_SPLIT_KEY}; the last 2,000 are the held-out
     * digits. The split does not depend on any user seed, so held-out digits are never trained on.
     */
    public static final int MNIST_TRAINING = 8_000;
    static final long MNIST_SPLIT_KEY = 0x6b67656e5L;
    /** First Philox counter of the synthetic held-out draws: far beyond any training draw. */
    private static final long HELD_OUT_COUNTER = 1L << 40;

    private final int dimension;

    Dataset(int dimension) {
        this.dimension = dimension;
    }

    public int dimension() {
        return dimension;
    }

    /** The name on the command line: swiss-roll, two-moons, mnist, ... */
    public String cliName() {
        return CliNames.of(this);
    }

    public static Dataset fromCliName(String name) {
        return CliNames.parse(Dataset.class, name, "data set");
    }

    /** n training points (rows) drawn with the given seed. */
    public FloatMatrix sample(int n, long seed) {
        return draw(n, seed, false);
    }

    /**
     * n held-out points drawn with the given seed: the same law as {@link #sample}, disjoint from
     * every training draw (MNIST: from the 2,000 held-out digits; the synthetic sets: fresh draws).
     */
    public FloatMatrix heldOut(int n, long seed) {
        return draw(n, seed, true);
    }

    /** The most points {@link #sample} (or, held out, {@link #heldOut}) can give: MNIST's split sizes. */
    public int capacity(boolean heldOut) {
        if (this != MNIST) return Integer.MAX_VALUE;
        return heldOut ? Mnist.load().count() - MNIST_TRAINING : MNIST_TRAINING;
    }

    private FloatMatrix draw(int n, long seed, boolean heldOut) {
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        if (n > capacity(heldOut)) {
            throw new IllegalArgumentException("n = " + n + " but the built-in MNIST holds " + capacity(heldOut) + " "
                    + (heldOut ? "held-out" : "training") + " digits");
        }
        if (this == MNIST) return mnistSubset(n, seed, heldOut);
        long first = heldOut ? HELD_OUT_COUNTER : 0;
        if (this == SWISS_ROLL) return SwissRoll.sample(first, n, 0.05, seed);
        FloatMatrix out = FloatMatrix.heap(n, dimension);
        for (int i = 0; i < n; i++) {
            double u = Philox.uniform(seed, 0, first + i);
            double[] p = point(u, first + i, seed);
            for (int k = 0; k < dimension; k++) out.set(i, k, (float) p[k]);
        }
        return out;
    }

    /** n digits of one part of the fixed split, in the order of a seeded shuffle of that part. */
    private static FloatMatrix mnistSubset(int n, long seed, boolean heldOut) {
        Mnist mnist = Mnist.load();
        int[] split = shuffled(mnist.count(), MNIST_SPLIT_KEY);
        int[] part = heldOut ? java.util.Arrays.copyOfRange(split, MNIST_TRAINING, split.length)
                : java.util.Arrays.copyOf(split, MNIST_TRAINING);
        int[] order = shuffled(part.length, seed);
        FloatMatrix out = FloatMatrix.heap(n, Mnist.PIXELS);
        for (int i = 0; i < n; i++) {
            out.setRow(i, mnist.images(part[order[i]], 1).row(0));
        }
        return out;
    }

    /** 0 .. n-1 in the order of Philox-keyed uniforms (ties by index), the same on every machine. */
    private static int[] shuffled(int n, long seed) {
        Integer[] order = new Integer[n];
        float[] key = new float[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            key[i] = Philox.uniform(seed, 3, i);
        }
        java.util.Arrays.sort(order, (a, b) -> key[a] != key[b] ? Float.compare(key[a], key[b]) : Integer.compare(a, b));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = order[i];
        return out;
    }

    private double[] point(double u, long i, long seed) {
        double z0 = Philox.normal(seed, 1, 4L * i);
        double z1 = Philox.normal(seed, 1, 4L * i + 1);
        double z2 = Philox.normal(seed, 1, 4L * i + 2);
        double z3 = Philox.normal(seed, 1, 4L * i + 3);
        switch (this) {
            case SWISS_ROLL_3D: {
                double t = 1.5 * Math.PI * (1 + 2 * u);
                double height = 2 * Philox.uniform(seed, 2, i);
                return new double[] {t * Math.cos(t) / 10 + 0.05 * z0, height + 0.05 * z1, t * Math.sin(t) / 10 + 0.05 * z2};
            }
            case TWO_MOONS: {
                double a = Math.PI * Philox.uniform(seed, 2, i);
                boolean upper = u < 0.5;
                double x = upper ? Math.cos(a) : 1 - Math.cos(a);
                double y = upper ? Math.sin(a) : 0.5 - Math.sin(a);
                return new double[] {x + 0.05 * z0, y + 0.05 * z1};
            }
            case GAUSSIAN_MIXTURE: {
                int component = Math.min(7, (int) (u * 8));
                double angle = 2 * Math.PI * component / 8;
                return new double[] {2 * Math.cos(angle) + 0.1 * z0, 2 * Math.sin(angle) + 0.1 * z1};
            }
            case GAUSSIAN_4D:
                return new double[] {z0, z1, z2, z3};
            default:
                throw new AssertionError(this);
        }
    }
}
