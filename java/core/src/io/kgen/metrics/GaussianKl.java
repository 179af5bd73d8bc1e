package io.kgen.metrics;

import io.kgen.FloatMatrix;

/**
 * KL(N(mu_hat, S_hat) || N(mu, S)) between the Gaussian fitted to samples and the true one:
 * (1/2) [tr(S^-1 S_hat) + (mu - mu_hat)' S^-1 (mu - mu_hat) - d + log det S - log det S_hat],
 * with Cholesky factors in double. For the Gaussian experiments (MATH.md section 6).
 */
public final class GaussianKl {
    private GaussianKl() {}

    public static double fitted(FloatMatrix samples, double[] mean, double[][] covariance) {
        int d = mean.length;
        if (samples == null || samples.rows() <= d) {
            throw new IllegalArgumentException("need more than d = " + d + " samples to fit a covariance");
        }
        if (samples.cols() != d) throw new IllegalArgumentException("samples have " + samples.cols() + " columns, mean has " + d);
        double[] muHat = new double[d];
        for (long i = 0; i < samples.rows(); i++) for (int k = 0; k < d; k++) muHat[k] += samples.get(i, k);
        for (int k = 0; k < d; k++) muHat[k] /= samples.rows();
        double[][] sHat = new double[d][d];
        for (long i = 0; i < samples.rows(); i++) {
            for (int k = 0; k < d; k++) {
                for (int l = 0; l < d; l++) sHat[k][l] += (samples.get(i, k) - muHat[k]) * (samples.get(i, l) - muHat[l]);
            }
        }
        for (double[] row : sHat) for (int l = 0; l < d; l++) row[l] /= samples.rows() - 1;
        return between(muHat, sHat, mean, covariance);
    }

    /** KL(N(mu1, s1) || N(mu0, s0)). */
    public static double between(double[] mu1, double[][] s1, double[] mu0, double[][] s0) {
        int d = mu0.length;
        double[][] l0 = cholesky(s0, "covariance");
        double[][] l1 = cholesky(s1, "fitted covariance");
        double trace = 0;
        for (int c = 0; c < d; c++) {
            double[] column = new double[d];
            for (int r = 0; r < d; r++) column[r] = s1[r][c];
            trace += solve(l0, column)[c];
        }
        double[] diff = new double[d];
        for (int k = 0; k < d; k++) diff[k] = mu0[k] - mu1[k];
        double[] w = forward(l0, diff);
        double mahalanobis = 0;
        for (double v : w) mahalanobis += v * v;
        return 0.5 * (trace + mahalanobis - d + 2 * (logDiag(l0) - logDiag(l1)));
    }

    static double[][] cholesky(double[][] a, String name) {
        int d = a.length;
        double[][] l = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                if (i == j) {
                    if (!(s > 0)) throw new IllegalArgumentException(name + " is not positive definite");
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    private static double[] forward(double[][] l, double[] b) {
        double[] y = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i][k] * y[k];
            y[i] = s / l[i][i];
        }
        return y;
    }

    /** x with L L' x = b. */
    private static double[] solve(double[][] l, double[] b) {
        double[] y = forward(l, b);
        double[] x = new double[b.length];
        for (int i = b.length - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < b.length; k++) s -= l[k][i] * x[k];
            x[i] = s / l[i][i];
        }
        return x;
    }

    private static double logDiag(double[][] l) {
        double s = 0;
        for (int i = 0; i < l.length; i++) s += Math.log(l[i][i]);
        return s;
    }
}
