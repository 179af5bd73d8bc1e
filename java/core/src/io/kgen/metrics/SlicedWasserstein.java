package io.kgen.metrics;

import io.kgen.FloatMatrix;
import io.kgen.random.Philox;
import java.util.Arrays;

/**
 * Sliced 2-Wasserstein distance: sqrt of the mean over random unit directions of W2^2 between the
 * two projected empirical measures. Each 1-d W2^2 is exact: the integral over u in (0, 1) of
 * (F^-1(u) - G^-1(u))^2 for the two step quantile functions, whatever the two sizes. Directions
 * come from the Philox stream of {@code seed}. O(P (m log m + n log n)) on the host.
 */
public final class SlicedWasserstein {
    private SlicedWasserstein() {}

    public static double distance(FloatMatrix x, FloatMatrix y, int projections, long seed) {
        if (x == null || y == null || x.rows() == 0 || y.rows() == 0) throw new IllegalArgumentException("x and y must not be empty");
        if (x.cols() != y.cols()) throw new IllegalArgumentException("x has " + x.cols() + " columns but y has " + y.cols());
        if (projections < 1) throw new IllegalArgumentException("projections must be >= 1, got " + projections);
        int d = x.cols();
        double total = 0;
        for (int p = 0; p < projections; p++) {
            double[] direction = new double[d];
            double norm = 0;
            for (int k = 0; k < d; k++) {
                direction[k] = Philox.normal(seed, p, k);
                norm += direction[k] * direction[k];
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < d; k++) direction[k] /= norm;
            total += squaredW2(project(x, direction), project(y, direction));
        }
        return Math.sqrt(total / projections);
    }

    /** Exact W2^2 between two empirical measures on the line. */
    static double squaredW2(double[] a, double[] b) {
        Arrays.sort(a);
        Arrays.sort(b);
        // Walk the merged quantile breakpoints i/m and j/n; on each piece both quantiles are constant.
        int i = 0, j = 0;
        double u = 0, sum = 0;
        while (i < a.length && j < b.length) {
            double nextA = (double) (i + 1) / a.length;
            double nextB = (double) (j + 1) / b.length;
            double next = Math.min(nextA, nextB);
            double diff = a[i] - b[j];
            sum += (next - u) * diff * diff;
            u = next;
            if (nextA <= next) i++;
            if (nextB <= next) j++;
        }
        return sum;
    }

    private static double[] project(FloatMatrix m, double[] direction) {
        double[] out = new double[(int) m.rows()];
        for (int i = 0; i < out.length; i++) {
            float[] row = m.row(i);
            double s = 0;
            for (int k = 0; k < row.length; k++) s += row[k] * direction[k];
            out[i] = s;
        }
        return out;
    }
}
