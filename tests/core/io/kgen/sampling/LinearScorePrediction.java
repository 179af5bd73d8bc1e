package io.kgen.sampling;

/**
 * What the reverse-time samplers must produce when the score is linear, written from MATH.md
 * section 2 in float64: for the data law N(y, lambda I) blurred to level t the score is
 * s_t(x) = -(x - y) / (lambda + t), so every update is linear in u = x - y and the variance of
 * each coordinate follows a recursion, exactly, for any number of steps.
 *
 * <p>A point mass (one data row y) is the law N(y, 0): its empirical score is exactly linear
 * (lambda = 0), the time-shift score at t is the empirical score at t + sigma^2 (lambda = sigma^2),
 * and the Monte Carlo score is -(u + sigma xi_bar) / t with xi_bar the mean of R standard normals.
 * A Gaussian with covariance S has the same recursion along each eigenvector, lambda its eigenvalue.
 */
final class LinearScorePrediction {
    private LinearScorePrediction() {}

    /** The geometric grid t_k = T (t_min / T)^(k / K), k = 0..K (MATH.md section 2, kgen's default). */
    static double[] geometricTimes(double tMax, double tMin, int steps) {
        double[] t = new double[steps + 1];
        for (int k = 0; k <= steps; k++) t[k] = tMax * Math.pow(tMin / tMax, (double) k / steps);
        return t;
    }

    /** The settings of one run. */
    record Run(double tMax, double tMin, int steps, boolean ode, boolean tweedie) {}

    /**
     * Final variance of a coordinate, starting from N(y, T): per step u <- u + c s(u) + sqrt(q) xi
     * with c = dt, q = dt (SDE) or c = dt / 2, q = 0 (ODE); the final Tweedie step has c = t_min,
     * q = 0. With s(u) = -(u + mcSigma xi_bar) / (lambda + t): v <- (1 - c / e)^2 v + (c / e)^2
     * mcSigma^2 / draws + q, e = lambda + t.
     */
    static double variance(Run run, double lambda, double mcSigma, int draws) {
        double[] t = geometricTimes(run.tMax(), run.tMin(), run.steps());
        double v = run.tMax();
        for (int k = 0; k < run.steps(); k++) {
            double dt = t[k] - t[k + 1];
            double c = run.ode() ? dt / 2 : dt;
            v = step(v, c, lambda + t[k], mcSigma, draws) + (run.ode() ? 0 : dt);
        }
        if (run.tweedie()) v = step(v, run.tMin(), lambda + run.tMin(), mcSigma, draws);
        return v;
    }

    private static double step(double v, double c, double e, double mcSigma, int draws) {
        double a = 1 - c / e;
        return a * a * v + (c / e) * (c / e) * mcSigma * mcSigma / draws;
    }
}
