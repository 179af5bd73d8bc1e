package io.kgen.data;

import io.kgen.FloatMatrix;
import io.kgen.random.Philox;
import java.util.Locale;

/**
 * The built-in data sets. The synthetic ones are drawn from the Philox stream, so a (size, seed)
 * pair gives the same points on every machine.
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
     * 10,000 real MNIST digits, 28 x 28 in [0, 1] (see {@link Mnist}); n of them picked by a
     * seeded shuffle, so that any n mixes the digits (the resource is ordered by digit).
     */
    MNIST(784);

    private final int dimension;

    Dataset(int dimension) {
        this.dimension = dimension;
    }

    public int dimension() {
        return dimension;
    }

    /** The name on the command line: swiss-roll, two-moons, mnist, ... */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Dataset fromCliName(String name) {
        for (Dataset d : values()) if (d.cliName().equals(name)) return d;
        StringBuilder known = new StringBuilder();
        for (Dataset d : values()) known.append(known.length() == 0 ? "" : ", ").append(d.cliName());
        throw new IllegalArgumentException("unknown data set '" + name + "' (built-in: " + known + ")");
    }

    /** n points (rows) drawn with the given seed. */
    public FloatMatrix sample(int n, long seed) {
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        switch (this) {
            case SWISS_ROLL:
                return SwissRoll.sample(n, 0.05, seed);
            case MNIST:
                return mnistSubset(n, seed);
            default:
                break;
        }
        FloatMatrix out = FloatMatrix.heap(n, dimension);
        for (int i = 0; i < n; i++) {
            double u = Philox.uniform(seed, 0, i);
            double[] p = point(u, i, seed);
            for (int k = 0; k < dimension; k++) out.set(i, k, (float) p[k]);
        }
        return out;
    }

    /** n MNIST images in the order of a Philox-keyed shuffle of all of them. */
    private static FloatMatrix mnistSubset(int n, long seed) {
        Mnist mnist = Mnist.load();
        if (n > mnist.count()) {
            throw new IllegalArgumentException("n = " + n + " but the built-in MNIST holds " + mnist.count());
        }
        Integer[] order = new Integer[mnist.count()];
        float[] key = new float[order.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            key[i] = Philox.uniform(seed, 3, i);
        }
        java.util.Arrays.sort(order, (a, b) -> key[a] != key[b] ? Float.compare(key[a], key[b]) : Integer.compare(a, b));
        FloatMatrix out = FloatMatrix.heap(n, Mnist.PIXELS);
        for (int i = 0; i < n; i++) {
            out.setRow(i, mnist.images(order[i], 1).row(0));
        }
        return out;
    }

    private double[] point(double u, int i, long seed) {
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
