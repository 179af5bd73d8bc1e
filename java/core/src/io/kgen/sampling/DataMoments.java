package io.kgen.sampling;

import io.kgen.FloatMatrix;

/** Mean and per-coordinate variance of a data set, accumulated in double. */
record DataMoments(double[] mean, double[] variance) {
    static DataMoments of(FloatMatrix data) {
        int d = data.cols();
        long n = data.rows();
        double[] mean = new double[d];
        double[] m2 = new double[d];
        for (long i = 0; i < n; i++) {
            float[] row = data.row(i);
            for (int k = 0; k < d; k++) {
                double delta = row[k] - mean[k];
                mean[k] += delta / (i + 1);
                m2[k] += delta * (row[k] - mean[k]); // Welford: stable for large n
            }
        }
        double[] variance = new double[d];
        for (int k = 0; k < d; k++) variance[k] = n > 1 ? m2[k] / (n - 1) : 0;
        return new DataMoments(mean, variance);
    }

    double totalVariance() {
        double sum = 0;
        for (double v : variance) sum += v;
        return sum;
    }

    /** E|Y|^2 = |mean|^2 + trace(Cov). */
    double secondMoment() {
        double sum = totalVariance();
        for (double m : mean) sum += m * m;
        return sum;
    }

    /** {@code count} rows, each the mean. */
    FloatMatrix repeatedMean(long count) {
        FloatMatrix out = FloatMatrix.heap(count, mean.length);
        for (long i = 0; i < count; i++) for (int k = 0; k < mean.length; k++) out.set(i, k, (float) mean[k]);
        return out;
    }
}
