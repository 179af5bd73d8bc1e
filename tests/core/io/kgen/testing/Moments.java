package io.kgen.testing;

import io.kgen.FloatMatrix;

/** Sample moments of the rows of a matrix, accumulated in double. */
public final class Moments {
    private Moments() {}

    public static double[] mean(FloatMatrix m) {
        double[] mean = new double[m.cols()];
        for (long i = 0; i < m.rows(); i++) for (int k = 0; k < m.cols(); k++) mean[k] += m.get(i, k);
        for (int k = 0; k < m.cols(); k++) mean[k] /= m.rows();
        return mean;
    }

    /** sum_i (x_i - center)(x_i - center)' / divisor. */
    public static double[][] scatter(FloatMatrix m, double[] center, double divisor) {
        int d = m.cols();
        double[][] c = new double[d][d];
        for (long i = 0; i < m.rows(); i++) {
            for (int k = 0; k < d; k++) {
                double uk = m.get(i, k) - center[k];
                for (int l = 0; l < d; l++) c[k][l] += uk * (m.get(i, l) - center[l]);
            }
        }
        for (double[] row : c) for (int l = 0; l < d; l++) row[l] /= divisor;
        return c;
    }

    /** The covariance with 1/(n - 1). */
    public static double[][] covariance(FloatMatrix m) {
        return scatter(m, mean(m), m.rows() - 1);
    }

    /** The covariance with 1/n: the covariance of the empirical measure. */
    public static double[][] populationCovariance(FloatMatrix m) {
        return scatter(m, mean(m), m.rows());
    }

    public static double trace(double[][] c) {
        double t = 0;
        for (int k = 0; k < c.length; k++) t += c[k][k];
        return t;
    }
}
