package io.kgen;

/**
 * The float64 reference for MATH.md section 1, written from the definitions: for each query,
 * all logits first, then their max, then the sums (no online rescaling, so it shares no
 * structure with the code under test).
 */
final class Float64Oracle {
    final double[] lse;
    final double[][] mean;
    final double[][] laplaceGradient;
    final double[] logDensity;
    final double[][] score;
    /** Per query: |max_j log k_ij|, the size of the logits that carry the weight. */
    final double[] logitScale;

    Float64Oracle(Kernel kernel, float[][] x, float[][] y, float[] weights, float[] bandwidths, boolean leaveOneOut) {
        int m = x.length;
        int n = y.length;
        int d = y[0].length;
        lse = new double[m];
        mean = new double[m][d];
        laplaceGradient = new double[m][d];
        logDensity = new double[m];
        score = new double[m][d];
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
                double logk = kernel == Kernel.GAUSSIAN ? -r2 / (2 * h * h) : -r[j] / h;
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
            for (int j = 0; j < n; j++) {
                double p = Math.exp(a[j] - lse[i]);
                for (int k = 0; k < d; k++) {
                    mean[i][k] += p * y[j][k];
                    if (r[j] > 0) laplaceGradient[i][k] += p * ((double) y[j][k] - x[i][k]) / (h * r[j]);
                }
            }
            logDensity[i] = lse[i] - 0.5 * d * Math.log(2 * Math.PI * h * h);
            for (int k = 0; k < d; k++) score[i][k] = (mean[i][k] - x[i][k]) / (h * h);
        }
    }
}
