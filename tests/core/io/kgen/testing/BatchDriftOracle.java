package io.kgen.testing;

/**
 * The batch drifting field in float64, written from the four steps of MATH.md section 5 as they
 * read, entry by entry: softmaxes as normalised exponentials, the floor on their product, the
 * cross weights, the per-temperature RMS. It shares no code with io.kgen.sampling. A
 * {@link Variant} switches one step off, so that a test can show its inputs depend on that step.
 */
public final class BatchDriftOracle {
    /** The field as stated, or with one of the steps that are easy to get wrong left out. */
    public enum Variant {
        OFFICIAL,
        /** No +100 on the self pairs: a point is its own nearest negative. */
        NO_SELF_MASK,
        /** A = sqrt(A_row A_col) without the floor 1e-6 on the product. */
        NO_FLOOR,
        /** One row softmax per set (negatives, positives) instead of one over all targets. */
        ROW_SOFTMAX_PER_SET
    }

    private BatchDriftOracle() {}

    /** The step c sum_R F_R / rms_R at the generated points x, unit weights, no fixed negatives. */
    public static double[][] step(double[][] x, double[][] positives, double[] temperatures) {
        return step(x, positives, new double[0][], null, null, null, temperatures, Variant.OFFICIAL);
    }

    /**
     * The step with fixed negatives z (possibly none) and weights for x, z and y (null: all 1).
     */
    public static double[][] step(double[][] x, double[][] y, double[][] z, double[] wx, double[] wz, double[] wy,
            double[] temperatures, Variant variant) {
        int g = x.length, q = z.length, p = y.length, d = x[0].length;
        int n = g + q + p;
        // Targets t = [x, z, y] and their weights.
        double[][] t = new double[n][];
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
            t[k] = k < g ? x[k] : k < g + q ? z[k - g] : y[k - g - q];
            double[] set = k < g ? wx : k < g + q ? wz : wy;
            int index = k < g ? k : k < g + q ? k - g : k - g - q;
            w[k] = set == null ? 1 : set[index];
        }
        // Step 1: distances, their scale s (weighted mean over every entry), the self mask.
        double[][] dist = new double[g][n];
        double weightedSum = 0, weightTotal = 0;
        for (int k = 0; k < n; k++) weightTotal += w[k];
        for (int i = 0; i < g; i++) {
            for (int k = 0; k < n; k++) {
                double r2 = 0;
                for (int c = 0; c < d; c++) r2 += (x[i][c] - t[k][c]) * (x[i][c] - t[k][c]);
                dist[i][k] = Math.sqrt(Math.max(r2, 1e-8));
                weightedSum += dist[i][k] * w[k];
            }
        }
        double s = (weightedSum / ((double) g * n)) / (weightTotal / n);
        double[][] normed = new double[g][n];
        for (int i = 0; i < g; i++) {
            for (int k = 0; k < n; k++) {
                normed[i][k] = dist[i][k] / Math.max(s, 1e-3);
                if (k == i && variant != Variant.NO_SELF_MASK) normed[i][k] += 100;
            }
        }
        // The coordinates of steps 3 and 4.
        double c0 = Math.max(s / Math.sqrt(d), 1e-3);
        double[][] xs = scaled(x, c0);
        double[][] ts = scaled(t, c0);
        double[][] total = new double[g][d];
        for (double temperature : temperatures) {
            // Step 2: logits, row softmax (over all targets, or per set), column softmax, floor.
            double[][] logits = new double[g][n];
            for (int i = 0; i < g; i++) for (int k = 0; k < n; k++) logits[i][k] = -normed[i][k] / temperature;
            double[][] row = new double[g][n];
            double[][] col = new double[g][n];
            for (int i = 0; i < g; i++) {
                if (variant == Variant.ROW_SOFTMAX_PER_SET) {
                    softmaxInto(logits[i], 0, g + q, row[i]);
                    softmaxInto(logits[i], g + q, n, row[i]);
                } else {
                    softmaxInto(logits[i], 0, n, row[i]);
                }
            }
            for (int k = 0; k < n; k++) {
                double[] column = new double[g];
                for (int i = 0; i < g; i++) column[i] = logits[i][k];
                double[] soft = new double[g];
                softmaxInto(column, 0, g, soft);
                for (int i = 0; i < g; i++) col[i][k] = soft[i];
            }
            double[][] a = new double[g][n];
            for (int i = 0; i < g; i++) {
                for (int k = 0; k < n; k++) {
                    double product = row[i][k] * col[i][k];
                    a[i][k] = Math.sqrt(variant == Variant.NO_FLOOR ? product : Math.max(product, 1e-6)) * w[k];
                }
            }
            // Step 3: sums over each part and the cross-weighted force, in scaled coordinates.
            double[][] f = new double[g][d];
            double squares = 0;
            for (int i = 0; i < g; i++) {
                double sNeg = 0, sPos = 0;
                for (int k = 0; k < n; k++) {
                    if (k < g + q) sNeg += a[i][k];
                    else sPos += a[i][k];
                }
                double[] towardPositives = new double[d], towardNegatives = new double[d];
                for (int k = 0; k < n; k++) {
                    double[] toward = k < g + q ? towardNegatives : towardPositives;
                    for (int c = 0; c < d; c++) toward[c] += a[i][k] * (ts[k][c] - xs[i][c]);
                }
                for (int c = 0; c < d; c++) {
                    f[i][c] = sNeg * towardPositives[c] - sPos * towardNegatives[c];
                    squares += f[i][c] * f[i][c];
                }
            }
            // Step 4: unit RMS per temperature (floor 1e-8 on the mean square), summed.
            double rms = Math.sqrt(Math.max(squares / ((double) g * d), 1e-8));
            for (int i = 0; i < g; i++) for (int c = 0; c < d; c++) total[i][c] += f[i][c] / rms;
        }
        for (double[] r : total) for (int c = 0; c < d; c++) r[c] *= c0; // back to data coordinates
        return total;
    }

    /**
     * Tolerance of a float32 step against {@link #step}: the rounding of each entry to float32
     * (2^-24 relative), plus 1e-9 of the largest entry for the float64 differences of two ways to
     * the same sums (logits up to about 100 / 0.02, so log-sum-exps agree to about 1e-12).
     */
    public static double tolerance(double want, double largest) {
        return 0x1p-24 * Math.abs(want) + 1e-9 * largest;
    }

    /** x + eta step, the particles after one drifting step. */
    public static double[][] moved(double[][] x, double eta, double[][] step) {
        return DriftingOracle.step(x, eta, step);
    }

    /**
     * Tolerance of float32 particles after one step against {@link #moved}: the step's own
     * rounding times eta, and the rounding of the product and of the sum (2^-24 each), twice over.
     */
    public static double movedTolerance(double[][] x, double eta, double[][] step) {
        double largestX = 0, largestStep = 0;
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < x[i].length; k++) {
                largestX = Math.max(largestX, Math.abs(x[i][k]));
                largestStep = Math.max(largestStep, Math.abs(step[i][k]));
            }
        }
        return 2 * (0x1p-24 * (largestX + eta * largestStep) + eta * tolerance(largestStep, largestStep) + 0x1p-24 * eta * largestStep);
    }

    private static double[][] scaled(double[][] m, double c) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
            for (int k = 0; k < out[i].length; k++) out[i][k] /= c;
        }
        return out;
    }

    /** out[from..to) = exp(a - max) / sum exp(a - max) over [from, to). */
    private static void softmaxInto(double[] a, int from, int to, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = from; k < to; k++) max = Math.max(max, a[k]);
        double sum = 0;
        for (int k = from; k < to; k++) sum += Math.exp(a[k] - max);
        for (int k = from; k < to; k++) out[k] = Math.exp(a[k] - max) / sum;
    }
}
