package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.Matrix;

/**
 * Gaussian KDE bandwidths (MATH.md section 4). Scott: sigma n^(-1/(d+4)); Silverman:
 * sigma (4/(d+2))^(1/(d+4)) n^(-1/(d+4)); sigma is the root mean per-coordinate variance.
 * Leave-one-out likelihood: the h of a geometric grid around Silverman's that maximises
 * sum_i log p_h^(-i)(y_i), one leave-one-out kernel sum per candidate.
 */
public final class BandwidthRule {
    private BandwidthRule() {}

    public static double scott(FloatMatrix data) {
        DataMoments m = DataMoments.of(requireData(data));
        return sigma(m) * Math.pow(data.rows(), -1.0 / (data.cols() + 4));
    }

    public static double silverman(FloatMatrix data) {
        DataMoments m = DataMoments.of(requireData(data));
        int d = data.cols();
        return sigma(m) * Math.pow(4.0 / (d + 2), 1.0 / (d + 4)) * Math.pow(data.rows(), -1.0 / (d + 4));
    }

    /** The root mean per-coordinate variance: the data's typical spread along one axis. */
    public static double spread(FloatMatrix data) {
        return sigma(DataMoments.of(requireData(data)));
    }

    /** The candidate with the largest mean leave-one-out log-likelihood. */
    public static LikelihoodChoice leaveOneOut(Engine engine, FloatMatrix data, int candidates) {
        Checks.atLeast(candidates, 1, "candidates");
        if (requireData(data).rows() < 2) throw new IllegalArgumentException("leave-one-out needs at least 2 data rows");
        double center = silverman(data);
        if (!(center > 0)) throw new IllegalArgumentException("data has zero variance: no bandwidth to choose");
        double[] h = new double[candidates];
        double[] score = new double[candidates];
        int best = 0;
        try (var onContext = engine.upload(data)) {
            for (int c = 0; c < candidates; c++) {
                // from center / 10 to center * 3, geometric
                h[c] = center * 0.1 * Math.pow(30, candidates == 1 ? 0.5 : c / (double) (candidates - 1));
                score[c] = meanLogLikelihood(engine, onContext, h[c]);
                if (score[c] > score[best]) best = c;
            }
        }
        return new LikelihoodChoice(h[best], h, score);
    }

    /** Mean leave-one-out log-density of the data at bandwidth h. */
    public static double meanLogLikelihood(Engine engine, Matrix data, double h) {
        KernelSum spec = KernelSum.gaussian((float) h).withLeaveOneOut(true);
        float[] logp = engine.logDensity(spec, data, data).toArray();
        double sum = 0;
        for (float v : logp) sum += v;
        return sum / logp.length;
    }

    /** The chosen bandwidth and every candidate with its mean leave-one-out log-likelihood. */
    public record LikelihoodChoice(double bandwidth, double[] candidates, double[] meanLogLikelihood) {}

    private static double sigma(DataMoments m) {
        return Math.sqrt(m.totalVariance() / m.variance().length);
    }

    private static FloatMatrix requireData(FloatMatrix data) {
        return Checks.nonEmpty(data, "data");
    }
}
