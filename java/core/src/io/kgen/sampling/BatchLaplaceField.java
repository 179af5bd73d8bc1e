package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.FloatMatrix;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Deng et al.'s batch drifting field as the official code computes it (MATH.md section 5):
 * distances to the targets t = [x, z, y] over their weighted mean s, the self pairs pushed out
 * by 100; per temperature R one row softmax over all targets jointly and one column softmax over
 * the generated points, affinities A = w_k max(sqrt(row * column), 1e-3); the cross-weighted
 * F_i = S-_i sum_pos A (t - x_i) - S+_i sum_neg A (t - x_i) in coordinates divided by
 * c = max(s / sqrt(d), 1e-3), scaled to unit RMS per temperature and summed; the step is c times
 * that sum, in data coordinates.
 *
 * <p>Why dense on the host in float64, not kernel sums on the engine: a weighted kernel sum
 * factors each pair's weight into a row factor, a column weight and exp(logit), which is how
 * the softmaxes without the floor would compose; the floor max(., 1e-3) binds on most pairs (all
 * far ones) and breaks that factorisation, so the field is not a sum of the engine's kernel sums.
 * Batches are small (64 to a few thousand generated points and positives), so the G x (G + Q + P)
 * affinities fit in memory, and one host computation serves every backend with the same
 * result, exact to float64.
 */
public final class BatchLaplaceField {
    /** The official code's temperatures. */
    public static final double[] DEFAULT_TEMPERATURES = {0.02, 0.05, 0.2};
    /** Added to the scaled self distances |x_i - x_i|: a particle is not its own negative. */
    static final double SELF_MASK = 100;
    /** The smallest affinity: sqrt of the official 1e-6 floor on row * column. */
    static final double AFFINITY_FLOOR = 1e-3;

    private final double[] temperatures;

    public BatchLaplaceField(double... temperatures) {
        Checks.notNull(temperatures, "temperatures");
        if (temperatures.length == 0) throw new IllegalArgumentException("at least one temperature is needed");
        for (double t : temperatures) Checks.positiveFinite(t, "temperature");
        this.temperatures = temperatures.clone();
    }

    /** The step at the generated points, positives the data, negatives the generated points themselves. */
    public FloatMatrix step(FloatMatrix generated, FloatMatrix positives) {
        return step(generated, positives, null, BatchWeights.UNIT);
    }

    /** The step in data coordinates, c sum_R F_R / rms_R, one row per generated point. */
    public FloatMatrix step(FloatMatrix generated, FloatMatrix positives, FloatMatrix negatives, BatchWeights weights) {
        BatchTargets b = BatchTargets.of(generated, positives, negatives, weights);
        int g = b.generated.length;
        int d = b.dimension();
        double[][] scaled = distances(b); // scaled in place below
        double scale = meanDistance(b, scaled);
        double inputScale = Math.max(scale / Math.sqrt(d), 1e-3);
        double inverse = 1 / Math.max(scale, 1e-3);
        for (int i = 0; i < g; i++) {
            for (int k = 0; k < scaled[i].length; k++) scaled[i][k] *= inverse;
            scaled[i][i] += SELF_MASK;
        }
        double[][] sum = new double[g][d];
        for (double temperature : temperatures) {
            double[][] force = force(b, scaled, temperature);
            double squares = 0;
            for (double[] row : force) {
                for (int k = 0; k < d; k++) {
                    row[k] /= inputScale; // into the scaled coordinates, where the RMS floor applies
                    squares += row[k] * row[k];
                }
            }
            double rms = Math.sqrt(Math.max(squares / ((double) g * d), 1e-8));
            for (int i = 0; i < g; i++) for (int k = 0; k < d; k++) sum[i][k] += force[i][k] / rms;
        }
        FloatMatrix out = FloatMatrix.heap(g, d);
        for (int i = 0; i < g; i++) for (int k = 0; k < d; k++) out.set(i, k, (float) (inputScale * sum[i][k]));
        return out;
    }

    /** |x_i - t_k| with the official floor sqrt(max(r^2, 1e-8)); rows in parallel. */
    private static double[][] distances(BatchTargets b) {
        double[][] r = new double[b.generated.length][b.targets.length];
        IntStream.range(0, r.length).parallel().forEach(i -> {
            double[] x = b.generated[i];
            for (int k = 0; k < b.targets.length; k++) {
                double[] t = b.targets[k];
                double s = 0;
                for (int c = 0; c < x.length; c++) s += (x[c] - t[c]) * (x[c] - t[c]);
                r[i][k] = Math.sqrt(Math.max(s, 1e-8));
            }
        });
        return r;
    }

    /** The weighted mean distance over all entries, self pairs included. */
    private static double meanDistance(BatchTargets b, double[][] r) {
        double weighted = 0;
        for (double[] row : r) for (int k = 0; k < row.length; k++) weighted += b.weights[k] * row[k];
        double total = 0;
        for (double w : b.weights) total += w;
        return weighted / (r.length * total);
    }

    /**
     * F_i = S-_i sum_pos A_ik (t_k - x_i) - S+_i sum_neg A_ik (t_k - x_i) in data coordinates, with
     * log A_ik = log w_k + max(a_ik - (Lr_i + Lc_k) / 2, log 1e-3), a = -scaled / R.
     */
    private static double[][] force(BatchTargets b, double[][] scaled, double temperature) {
        int g = b.generated.length;
        int n = b.targets.length;
        int d = b.dimension();
        double[] rowLse = new double[g];
        IntStream.range(0, g).parallel().forEach(i -> rowLse[i] = rowLogSumExp(scaled[i], temperature));
        double[] columnLse = columnLogSumExps(scaled, temperature);
        double[][] force = new double[g][d];
        IntStream.range(0, g).parallel().forEach(i -> {
            double[] affinity = new double[n];
            double negative = 0;
            double positive = 0;
            for (int k = 0; k < n; k++) {
                double balanced = Math.exp(-scaled[i][k] / temperature - (rowLse[i] + columnLse[k]) / 2);
                affinity[k] = b.weights[k] * Math.max(balanced, AFFINITY_FLOOR);
                if (k < b.split) negative += affinity[k];
                else positive += affinity[k];
            }
            double[] x = b.generated[i];
            double[] f = force[i];
            for (int k = 0; k < n; k++) {
                double coefficient = k < b.split ? -positive * affinity[k] : negative * affinity[k];
                double[] t = b.targets[k];
                for (int c = 0; c < d; c++) f[c] += coefficient * (t[c] - x[c]);
            }
        });
        return force;
    }

    private static double rowLogSumExp(double[] scaled, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : scaled) max = Math.max(max, -v / temperature);
        double s = 0;
        for (double v : scaled) s += Math.exp(-v / temperature - max);
        return max + Math.log(s);
    }

    /** Log-sum-exps over the generated points (rows) of every target column. */
    private static double[] columnLogSumExps(double[][] scaled, double temperature) {
        int n = scaled[0].length;
        double[] max = new double[n];
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (double[] row : scaled) for (int k = 0; k < n; k++) max[k] = Math.max(max[k], -row[k] / temperature);
        double[] s = new double[n];
        for (double[] row : scaled) for (int k = 0; k < n; k++) s[k] += Math.exp(-row[k] / temperature - max[k]);
        for (int k = 0; k < n; k++) s[k] = max[k] + Math.log(s[k]);
        return s;
    }
}
