package io.kgen.testing;

/**
 * Bounds for statistical assertions, sized so that a correct program fails one group of checks
 * with probability at most {@link #RATE} per run (a union bound over the group's k checks). A
 * test method makes at most ten such groups, so it fails falsely with probability below 1e-6.
 *
 * <p>Gaussian statistics (sample means of Gaussian draws, or of many independent terms by the
 * central limit theorem): P(|Z| > z) <= 2 exp(-z^2 / 2) (Chernoff), so z = sqrt(2 ln(2 k / rate))
 * keeps k two-sided checks together below the rate. Chi-square statistics (sample variances of
 * Gaussian draws): the Laurent-Massart bounds, exact tails with no normal approximation.
 */
public final class FalseFailure {
    /** The largest false-failure probability allowed per group of checks and run. */
    public static final double RATE = 1e-7;

    private FalseFailure() {}

    /** Standard deviations that k two-sided Gaussian checks need together to stay below RATE. */
    public static double sigmas(int checks) {
        return Math.sqrt(2 * Math.log(2.0 * checks / RATE));
    }

    /**
     * Relative bounds for a sample variance of Gaussian draws with {@code dof} degrees of freedom:
     * S / sigma^2 lies in [lo, hi] except with probability RATE / checks (both tails together).
     * Laurent and Massart (2000): for X ~ chi2(k), P(X >= k + 2 sqrt(k x) + 2 x) <= e^-x and
     * P(X <= k - 2 sqrt(k x)) <= e^-x.
     */
    public static double[] varianceRatio(long dof, int checks) {
        double x = Math.log(2.0 * checks / RATE);
        double k = dof;
        double lo = (k - 2 * Math.sqrt(k * x)) / k;
        double hi = (k + 2 * Math.sqrt(k * x) + 2 * x) / k;
        return new double[] {Math.max(lo, 0), hi};
    }
}
