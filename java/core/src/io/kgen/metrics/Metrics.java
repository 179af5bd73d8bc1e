package io.kgen.metrics;

import io.kgen.NearestTwo;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.Matrix;

/**
 * Sample-quality metrics of MATH.md section 6 that reduce over all pairs, computed through the
 * engine's reductions (so on the GPU when the engine is CUDA). The float64 references they are
 * tested against are direct double loops.
 */
public final class Metrics {
    private Metrics() {}

    /** Share of samples whose nearest and second nearest training points satisfy d1 / d2 < 1/3. */
    public static double memorizationRatio(Engine engine, Matrix samples, Matrix train) {
        requireRows(train, 2, "train");
        NearestTwo near = engine.nearestTwo(samples, train, false);
        long count = 0;
        for (long i = 0; i < samples.rows(); i++) {
            if (3.0 * near.distances().get(i, 0) < near.distances().get(i, 1)) count++;
        }
        return (double) count / samples.rows();
    }

    /** Distance from every sample to its nearest row of {@code reference} (train or held-out). */
    public static double[] nearestDistances(Engine engine, Matrix samples, Matrix reference) {
        NearestTwo near = engine.nearestTwo(samples, reference, false);
        double[] out = new double[(int) samples.rows()];
        for (int i = 0; i < out.length; i++) out[i] = near.distances().get(i, 0);
        return out;
    }

    /**
     * Unbiased MMD^2 with the Gaussian kernel of bandwidth h:
     * mean_{i != j} k(x_i, x_j) + mean_{i != j} k(y_i, y_j) - 2 mean_{i, j} k(x_i, y_j).
     * Each mean is exp(LSE) of a kernel sum with uniform weights (leave-one-out within a set).
     */
    public static double mmd2(Engine engine, Matrix x, Matrix y, double h) {
        requireRows(x, 2, "x");
        requireRows(y, 2, "y");
        KernelSum spec = KernelSum.gaussian((float) h);
        double xx = meanExp(engine.kernelSums(spec.withLeaveOneOut(true), x, x).lse());
        double yy = meanExp(engine.kernelSums(spec.withLeaveOneOut(true), y, y).lse());
        double xy = meanExp(engine.kernelSums(spec, x, y).lse());
        return xx + yy - 2 * xy;
    }

    /**
     * Energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'|, the within-set terms as U-statistics
     * (pairs i != j).
     */
    public static double energyDistance(Engine engine, Matrix x, Matrix y) {
        requireRows(x, 2, "x");
        requireRows(y, 2, "y");
        double xy = engine.distanceSums(x, y, null, false).sum() / ((double) x.rows() * y.rows());
        double xx = engine.distanceSums(x, x, null, true).sum() / ((double) x.rows() * (x.rows() - 1));
        double yy = engine.distanceSums(y, y, null, true).sum() / ((double) y.rows() * (y.rows() - 1));
        return 2 * xy - xx - yy;
    }

    private static double meanExp(FloatMatrix lse) {
        double sum = 0;
        for (long i = 0; i < lse.rows(); i++) sum += Math.exp(lse.get(i, 0));
        return sum / lse.rows();
    }


    private static void requireRows(Matrix m, long min, String name) {
        if (m == null || m.rows() < min) {
            throw new IllegalArgumentException(name + " needs at least " + min + " rows, got " + (m == null ? 0 : m.rows()));
        }
    }
}
