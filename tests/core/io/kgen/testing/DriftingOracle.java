package io.kgen.testing;

/**
 * One step x <- x + eta V(x) of the plain drifting fields in float64, written from the formulas
 * of MATH.md section 5, pair by pair with no kernel sums, so that it shares no structure with the
 * code under test (the batch form: {@link BatchDriftOracle}).
 */
public final class DriftingOracle {
    private DriftingOracle() {}

    /** Laplace displacement: V = sum_j P_j (y_j - x) - sum_{l != i} Q_l (x_l - x), softmaxes of -r / tau. */
    public static double[][] laplaceStep(double[][] data, double[][] x, double tau, double eta) {
        return step(x, eta, plainField(data, x, r2 -> -Math.sqrt(r2) / tau, 1));
    }

    /** Conservative KDE gradient: V = (MEAN_data(x) - MEAN_particles^(-i)(x)) / h^2, Gaussian softmaxes. */
    public static double[][] gaussianGradientStep(double[][] data, double[][] x, double h, double eta) {
        return step(x, eta, plainField(data, x, r2 -> -r2 / (2 * h * h), 1 / (h * h)));
    }

    private interface LogKernel {
        double of(double squaredDistance);
    }

    /** scale (sum_j P_ij (y_j - x_i) - sum_{l != i} Q_il (x_l - x_i)), P and Q softmaxes of logk. */
    private static double[][] plainField(double[][] data, double[][] x, LogKernel logk, double scale) {
        int m = x.length, d = x[0].length;
        double[][] v = new double[m][d];
        for (int i = 0; i < m; i++) {
            double[] toData = softmaxDisplacement(x[i], data, -1, logk);
            double[] toOthers = softmaxDisplacement(x[i], x, i, logk);
            for (int k = 0; k < d; k++) v[i][k] = scale * (toData[k] - toOthers[k]);
        }
        return v;
    }

    /** sum_j P_j (s_j - q) with P the softmax of logk(|q - s_j|^2) over j != skip. */
    private static double[] softmaxDisplacement(double[] q, double[][] set, int skip, LogKernel logk) {
        int d = q.length;
        double[] a = new double[set.length];
        for (int j = 0; j < set.length; j++) a[j] = j == skip ? Double.NEGATIVE_INFINITY : logk.of(squared(q, set[j]));
        double lse = logSumExp(a);
        double[] out = new double[d];
        for (int j = 0; j < set.length; j++) {
            if (j == skip) continue;
            double p = Math.exp(a[j] - lse);
            for (int k = 0; k < d; k++) out[k] += p * (set[j][k] - q[k]);
        }
        return out;
    }

    /** x + eta v, entry by entry. */
    static double[][] step(double[][] x, double eta, double[][] v) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i].clone();
            for (int k = 0; k < out[i].length; k++) out[i][k] += eta * v[i][k];
        }
        return out;
    }

    private static double squared(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) s += (a[k] - b[k]) * (a[k] - b[k]);
        return s;
    }

    public static double logSumExp(double[] a) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : a) max = Math.max(max, v);
        if (max == Double.NEGATIVE_INFINITY) return max;
        double s = 0;
        for (double v : a) s += Math.exp(v - max);
        return max + Math.log(s);
    }
}
