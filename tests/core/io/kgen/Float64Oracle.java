package io.kgen;

/**
 * The float64 reference for MATH.md section 1, written from the definitions: for each query,
 * all logits first, then their max, then the sums (no online rescaling, so it shares no
 * structure with the code under test). The kernels, their gradients and their normalising
 * integrals are written out here again, not taken from kgen.
 */
final class Float64Oracle {
    final double[] lse;
    final double[][] mean;
    /** sum_j P_ij grad_x log k(x_i, y_j): the KDE score. */
    final double[][] gradient;
    final double[] logDensity;
    /** Per query and coordinate: a bound on |grad_x log k| over the data, for error bounds. */
    final double[][] gradientScale;
    /** Per query: |max_j log k_ij|, the size of the logits that carry the weight. */
    final double[] logitScale;

    Float64Oracle(Kernel kernel, float[][] x, float[][] y, float[] weights, float[] bandwidths, boolean leaveOneOut) {
        int m = x.length;
        int n = y.length;
        int d = y[0].length;
        lse = new double[m];
        mean = new double[m][d];
        gradient = new double[m][d];
        logDensity = new double[m];
        gradientScale = new double[m][d];
        logitScale = new double[m];
        int others = leaveOneOut ? n - 1 : n;
        for (int i = 0; i < m; i++) {
            double h = bandwidths[i];
            double[] a = new double[n];
            double[] r = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            double maxLogk = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double r2 = 0;
                for (int k = 0; k < d; k++) {
                    double diff = (double) x[i][k] - (double) y[j][k];
                    r2 += diff * diff;
                }
                r[j] = Math.sqrt(r2);
                double logk = logKernel(kernel, r[j], h, d);
                double w = weights == null ? 1.0 / others : weights[j];
                boolean skipped = (leaveOneOut && i == j) || w == 0;
                a[j] = skipped ? Double.NEGATIVE_INFINITY : Math.log(w) + logk;
                if (!skipped) maxLogk = Math.max(maxLogk, logk);
                max = Math.max(max, a[j]);
            }
            logitScale[i] = Math.abs(maxLogk);
            double sum = 0;
            for (int j = 0; j < n; j++) sum += Math.exp(a[j] - max);
            lse[i] = max + Math.log(sum);
            double yScale = 0;
            for (float[] row : y) for (float v : row) yScale = Math.max(yScale, Math.abs(v));
            for (int j = 0; j < n; j++) {
                double p = Math.exp(a[j] - lse[i]);
                double g = gradientFactor(kernel, r[j], h, d);
                for (int k = 0; k < d; k++) {
                    mean[i][k] += p * y[j][k];
                    gradient[i][k] += p * g * ((double) y[j][k] - x[i][k]);
                }
            }
            for (int k = 0; k < d; k++) {
                gradientScale[i][k] = switch (kernel) {
                    case GAUSSIAN -> (yScale + Math.abs(x[i][k])) / (h * h);
                    case LAPLACE -> 1 / h;
                    case CAUCHY -> (d + 1) / (2 * h); // max over r of (d + 1) r / (h^2 + r^2)
                };
            }
            logDensity[i] = lse[i] - logNorm(kernel, d, h);
        }
    }

    static double logKernel(Kernel kernel, double r, double h, int d) {
        return switch (kernel) {
            case GAUSSIAN -> -r * r / (2 * h * h);
            case LAPLACE -> -r / h;
            case CAUCHY -> -0.5 * (d + 1) * Math.log1p(r * r / (h * h));
        };
    }

    /** g with grad_x log k(x, y) = g (y - x); the Laplace kernel's subgradient at r = 0 is 0. */
    static double gradientFactor(Kernel kernel, double r, double h, int d) {
        return switch (kernel) {
            case GAUSSIAN -> 1 / (h * h);
            case LAPLACE -> r > 0 ? 1 / (h * r) : 0;
            case CAUCHY -> (d + 1) / (h * h + r * r);
        };
    }

    /** log of the kernel's integral over R^d. */
    static double logNorm(Kernel kernel, int d, double h) {
        return switch (kernel) {
            case GAUSSIAN -> 0.5 * d * Math.log(2 * Math.PI * h * h);
            // surface of the unit sphere 2 pi^(d/2) / Gamma(d/2) times Gamma(d) h^d
            case LAPLACE -> Math.log(2) + 0.5 * d * Math.log(Math.PI) - logGammaHalf(d) + logGammaHalf(2 * d)
                    + d * Math.log(h);
            // the multivariate Student-t with one degree of freedom: pi^((d+1)/2) h^d / Gamma((d+1)/2)
            case CAUCHY -> 0.5 * (d + 1) * Math.log(Math.PI) + d * Math.log(h) - logGammaHalf(d + 1);
        };
    }

    /** log Gamma(k / 2) for k >= 1, from Gamma(1) = 1, Gamma(1/2) = sqrt(pi), Gamma(x + 1) = x Gamma(x). */
    static double logGammaHalf(int k) {
        double x = k % 2 == 0 ? 1 : 0.5;
        double log = k % 2 == 0 ? 0 : 0.5 * Math.log(Math.PI);
        for (; x < k / 2.0; x += 1) log += Math.log(x);
        return log;
    }
}
