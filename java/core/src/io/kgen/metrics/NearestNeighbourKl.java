package io.kgen.metrics;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.NearestTwo;

/**
 * KL(q || N(0, diag(variances))) of the law q that {@code samples} were drawn from, the law
 * itself, not a Gaussian fitted to it: KL = -H(q) - E_q[log p], the cross term exact at each
 * sample, the entropy by the Kozachenko-Leonenko nearest-neighbour estimator
 * H = psi(M) - psi(1) + log V_d + (d / M) sum_i log rho_i (rho_i: distance from sample i to its
 * nearest other sample, V_d: volume of the unit d-ball). Consistent as M grows, biased at finite
 * M by an amount that depends on q's shape; comparisons use the same M on both sides so that
 * the bias is shared (the effective-size study compares generated laws with N' true points
 * blurred alike). Low d only (the estimator's error grows quickly with d).
 */
public final class NearestNeighbourKl {
    private NearestNeighbourKl() {}

    private static final double EULER_GAMMA = 0.5772156649015329;

    public static double toDiagonalGaussian(Engine engine, FloatMatrix samples, double[] variances) {
        int d = variances.length;
        long m = samples.rows();
        if (m < 2) throw new IllegalArgumentException("samples needs at least 2 rows, got " + m);
        if (samples.cols() != d) {
            throw new IllegalArgumentException("samples have " + samples.cols() + " columns, variances has " + d);
        }
        for (int k = 0; k < d; k++) {
            if (!(variances[k] > 0) || Double.isInfinite(variances[k])) {
                throw new IllegalArgumentException("variances[" + k + "] must be positive and finite, got " + variances[k]);
            }
        }
        NearestTwo near = engine.nearestTwo(samples, samples, true);
        double logRho = 0, logP = 0;
        for (long i = 0; i < m; i++) {
            double rho = near.distances().get(i, 0);
            if (!(rho > 0)) {
                throw new IllegalArgumentException("samples " + i + " and " + near.indices()[(int) (2 * i)]
                        + " coincide: a law with atoms has no entropy (KL is infinite)");
            }
            logRho += Math.log(rho);
            for (int k = 0; k < d; k++) {
                double x = samples.get(i, k);
                logP -= 0.5 * (x * x / variances[k] + Math.log(2 * Math.PI * variances[k]));
            }
        }
        double entropy = digamma(m) + EULER_GAMMA + logUnitBallVolume(d) + d * logRho / m;
        return -entropy - logP / m;
    }

    /** log of pi^(d/2) / Gamma(d/2 + 1). */
    static double logUnitBallVolume(int d) {
        return 0.5 * d * Math.log(Math.PI) - logGamma(0.5 * d + 1);
    }

    /** log Gamma at integers and half integers (the only arguments used here), exactly by recursion. */
    static double logGamma(double x) {
        double log = 0;
        double base = x == Math.floor(x) ? 1 : 0.5;
        for (double v = x - 1; v >= base; v -= 1) log += Math.log(v);
        return base == 1 ? log : log + 0.5 * Math.log(Math.PI);
    }

    /** psi(m) for an integer m >= 1: -gamma + sum_{j < m} 1/j. */
    static double digamma(long m) {
        double sum = -EULER_GAMMA;
        for (long j = 1; j < m; j++) sum += 1.0 / j;
        return sum;
    }
}
