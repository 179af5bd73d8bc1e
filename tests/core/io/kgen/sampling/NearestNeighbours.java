package io.kgen.sampling;

import io.kgen.FloatMatrix;
import java.util.Arrays;

/** Distances from samples to their nearest and second nearest data points (float64, brute force). */
final class NearestNeighbours {
    final double[] first;
    final double[] second;

    private NearestNeighbours(double[] first, double[] second) {
        this.first = first;
        this.second = second;
    }

    static NearestNeighbours of(FloatMatrix samples, FloatMatrix data) {
        int m = (int) samples.rows();
        double[] d1 = new double[m];
        double[] d2 = new double[m];
        for (int i = 0; i < m; i++) {
            float[] x = samples.row(i);
            double a = Double.MAX_VALUE, b = Double.MAX_VALUE;
            for (long j = 0; j < data.rows(); j++) {
                float[] y = data.row(j);
                double r2 = 0;
                for (int k = 0; k < x.length; k++) r2 += ((double) x[k] - y[k]) * ((double) x[k] - y[k]);
                double r = Math.sqrt(r2);
                if (r < a) {
                    b = a;
                    a = r;
                } else if (r < b) {
                    b = r;
                }
            }
            d1[i] = a;
            d2[i] = b;
        }
        return new NearestNeighbours(d1, d2);
    }

    /** Median distance from each data point to its nearest other data point. */
    static double medianSpacing(FloatMatrix data) {
        NearestNeighbours self = of(data, data); // first is the point itself, second its neighbour
        double[] s = self.second.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Smallest distance between two data points. */
    static double minSpacing(FloatMatrix data) {
        return Arrays.stream(of(data, data).second).min().orElse(0);
    }

    /** Share of samples with d1 / d2 < 1/3 (MATH.md section 6). */
    double memorizationRatio() {
        int count = 0;
        for (int i = 0; i < first.length; i++) if (first[i] < second[i] / 3) count++;
        return (double) count / first.length;
    }

    double maxDistance() {
        return Arrays.stream(first).max().orElse(0);
    }

    double medianDistance() {
        double[] s = first.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
