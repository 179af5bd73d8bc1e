package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.FloatMatrix;

/**
 * One batch of the batch drifting field in float64: the generated points x (G rows) and the
 * targets t = [x, z, y] (the generated points again, the fixed negatives z, the positives y) with
 * one weight each. Columns k < split are negatives (x and z), the others positives.
 */
final class BatchTargets {
    final double[][] generated;
    final double[][] targets;
    final double[] weights;
    final int split;

    private BatchTargets(double[][] generated, double[][] targets, double[] weights, int split) {
        this.generated = generated;
        this.targets = targets;
        this.weights = weights;
        this.split = split;
    }

    /** Checks shapes, values and weight counts; {@code negatives} may be null (none). */
    static BatchTargets of(FloatMatrix generated, FloatMatrix positives, FloatMatrix negatives, BatchWeights weights) {
        Checks.nonEmpty(generated, "generated");
        Checks.nonEmpty(positives, "positives");
        Checks.notNull(weights, "weights");
        int d = generated.cols();
        sameColumns(positives, d, "positives");
        if (negatives != null) sameColumns(negatives, d, "negatives");
        int g = count(generated);
        int q = negatives == null ? 0 : count(negatives);
        int p = count(positives);
        if ((long) g * (g + q + p) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the batch field's " + g + " x " + (g + q + p)
                    + " affinities exceed one array: use fewer generated points or positives");
        }
        double[][] t = new double[g + q + p][];
        double[] w = new double[g + q + p];
        copy(generated, weights.generated(), "generated", t, w, 0);
        if (negatives != null) copy(negatives, weights.negatives(), "negatives", t, w, g);
        else if (weights.negatives() != null && weights.negatives().length > 0) {
            throw new IllegalArgumentException("negative weights given (" + weights.negatives().length + ") but no negatives");
        }
        copy(positives, weights.positives(), "positives", t, w, g + q);
        double total = 0;
        for (double v : w) total += v;
        if (!(total > 0)) throw new IllegalArgumentException("the targets' weights sum to " + total + ": nothing to drift to");
        double[][] x = new double[g][];
        System.arraycopy(t, 0, x, 0, g);
        return new BatchTargets(x, t, w, g + q);
    }

    int dimension() {
        return generated[0].length;
    }

    private static void sameColumns(FloatMatrix m, int d, String name) {
        if (m.cols() != d) throw new IllegalArgumentException(name + " have " + m.cols() + " columns but generated has " + d);
    }

    private static int count(FloatMatrix m) {
        if (m.rows() > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too many rows: " + m.rows());
        return (int) m.rows();
    }

    /** Rows of {@code m} into t from row {@code first} on, with their weights (unit when null). */
    private static void copy(FloatMatrix m, float[] weights, String name, double[][] t, double[] w, int first) {
        int rows = (int) m.rows();
        if (weights != null && weights.length != rows) {
            throw new IllegalArgumentException(name + " weights must be " + rows + " values, got " + weights.length);
        }
        for (int i = 0; i < rows; i++) {
            double[] row = new double[m.cols()];
            for (int k = 0; k < row.length; k++) {
                row[k] = m.get(i, k);
                if (!Double.isFinite(row[k])) {
                    throw new IllegalArgumentException(name + " must be finite, got " + row[k] + " at row " + i + ", column " + k);
                }
            }
            t[first + i] = row;
            w[first + i] = weights == null ? 1 : weights[i];
        }
    }
}
