package io.kgen.testing;

/**
 * One drifting step x <- x + eta V(x) in float64, written from the formulas (MATH.md section 5
 * for the two plain fields, io.kgen.sampling.BatchLaplaceField's javadoc for the batch form), pair by pair
 * with no kernel sums, so that it shares no structure with the code under test.
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

    /**
     * The batch form as the code defines it: tau = T times the mean distance over particle-data and
     * particle-particle pairs (self excluded); weights W_ij = exp(a_ij - (Lr_i + Lc_j) / 2) per set
     * (data; particles without self), Lr and Lc the row and column log-sum-exps of a = -r / tau;
     * V_T = sum_j W_ij (y_j - x_i) - sum_l W'_il (x_l - x_i); the step is eta sum_T V_T / rms(V_T).
     */
    public static double[][] batchStep(double[][] data, double[][] x, double[] temperatures, double eta) {
        int m = x.length, n = data.length, d = x[0].length;
        double[][] rData = distances(x, data);
        double[][] rSelf = distances(x, x);
        double total = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) total += rData[i][j];
            for (int l = 0; l < m; l++) if (l != i) total += rSelf[i][l];
        }
        double meanDistance = total / ((double) m * n + (double) m * (m - 1));
        double[][] sum = new double[m][d];
        for (double temperature : temperatures) {
            double tau = temperature * meanDistance;
            double[][] pull = balancedDisplacement(rData, x, data, tau, false);
            double[][] push = balancedDisplacement(rSelf, x, x, tau, true);
            double squares = 0;
            double[][] v = new double[m][d];
            for (int i = 0; i < m; i++) {
                for (int k = 0; k < d; k++) {
                    v[i][k] = pull[i][k] - push[i][k];
                    squares += v[i][k] * v[i][k];
                }
            }
            double rms = Math.sqrt(squares / (m * d));
            for (int i = 0; i < m; i++) for (int k = 0; k < d; k++) if (rms > 0) sum[i][k] += v[i][k] / rms;
        }
        return step(x, eta, sum);
    }

    /**
     * Tolerance of a float32 batch step against {@link #batchStep}: per temperature the unit-RMS
     * field has entries up to sqrt(m d), and the log-sum-exps pass through float32, a relative
     * error of 2^-24 on logits as large as L = max r / tau, which moves the weights by about
     * 2^-24 L; 8 such roundings, 4x margin: eta sum_T 32 2^-24 (1 + L_T) sqrt(m d).
     */
    public static double batchTolerance(double[][] data, double[][] x, double eta, double[] temperatures) {
        int m = x.length, n = data.length;
        double maxR = 0, total = 0;
        for (double[] xi : x) {
            for (double[] yj : data) {
                double r = Math.sqrt(squared(xi, yj));
                total += r;
                maxR = Math.max(maxR, r);
            }
            for (double[] xl : x) {
                double r = Math.sqrt(squared(xi, xl));
                total += r;
                maxR = Math.max(maxR, r);
            }
        }
        double meanDistance = total / ((double) m * n + (double) m * (m - 1));
        double tol = 0;
        for (double t : temperatures) tol += 32 * 0x1p-24 * (1 + maxR / (t * meanDistance)) * Math.sqrt(m * x[0].length);
        return eta * tol;
    }

    /** sum_j W_ij (s_j - x_i), W = sqrt(row softmax * column softmax) over the pairs that count. */
    private static double[][] balancedDisplacement(double[][] r, double[][] x, double[][] set, double tau, boolean self) {
        int m = x.length, n = set.length, d = x[0].length;
        double[] rowLse = new double[m];
        double[] colLse = new double[n];
        for (int i = 0; i < m; i++) {
            double[] a = new double[n];
            for (int j = 0; j < n; j++) a[j] = self && i == j ? Double.NEGATIVE_INFINITY : -r[i][j] / tau;
            rowLse[i] = logSumExp(a);
        }
        for (int j = 0; j < n; j++) {
            double[] a = new double[m];
            for (int i = 0; i < m; i++) a[i] = self && i == j ? Double.NEGATIVE_INFINITY : -r[i][j] / tau;
            colLse[j] = logSumExp(a);
        }
        double[][] out = new double[m][d];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                if (self && i == j) continue;
                double w = Math.exp(-r[i][j] / tau - (rowLse[i] + colLse[j]) / 2);
                for (int k = 0; k < d; k++) out[i][k] += w * (set[j][k] - x[i][k]);
            }
        }
        return out;
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

    private static double[][] step(double[][] x, double eta, double[][] v) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i].clone();
            for (int k = 0; k < out[i].length; k++) out[i][k] += eta * v[i][k];
        }
        return out;
    }

    private static double[][] distances(double[][] a, double[][] b) {
        double[][] r = new double[a.length][b.length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < b.length; j++) r[i][j] = Math.sqrt(squared(a[i], b[j]));
        return r;
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
