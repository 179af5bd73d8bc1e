package io.kgen.sampling;

/**
 * What the Ornstein-Uhlenbeck reverse samplers must produce when the score is linear, written from
 * MATH.md section 8 in float64, independently of {@link ForwardProcess}: for data N(mu, lambda)
 * along one direction, p_t there is N(a mu, a^2 lambda + h^2), a = e^-t, h^2 = 1 - e^-2t, and its
 * score s(x) = -(x - a mu) / E, E = a^2 lambda + h^2, is linear, so the mean and the variance of
 * a coordinate follow a recursion, exactly, for any number of steps:
 *
 * <pre>
 *   SDE: x <- x + dt (x + 2 s) + sqrt(2 dt) xi     ODE: x <- x + dt (x + s)
 *   Tweedie: x <- (x + h^2 s) / a
 * </pre>
 *
 * A point mass (lambda = 0) has exactly this score; the time-shift score of a point mass is that of
 * N(a y, h^2 + sigma^2), i.e. E = h^2 + sigma^2.
 */
final class OuLinearPrediction {
    private OuLinearPrediction() {}

    /** The settings of one run: times, steps, ODE or SDE, Tweedie step or not. */
    record Run(double tMax, double tMin, int steps, boolean ode, boolean tweedie) {}

    /**
     * The grid geometric in the noise-to-signal ratio e^2t - 1 from T down to t_min (kgen's OU
     * default).
     */
    static double[] times(double tMax, double tMin, int steps) {
        double hi = Math.expm1(2 * tMax), lo = Math.expm1(2 * tMin);
        double[] t = new double[steps + 1];
        for (int k = 0; k <= steps; k++) t[k] = 0.5 * Math.log1p(hi * Math.pow(lo / hi, (double) k / steps));
        return t;
    }

    /**
     * {mean, variance} of a coordinate at the end, from the start N(0, 1), for data N(mu, lambda)
     * along it, the law blurred by sigma^2 more (the time-shift score; 0 for the empirical one).
     */
    static double[] moments(Run run, double mu, double lambda, double sigma2) {
        double[] t = times(run.tMax(), run.tMin(), run.steps());
        double m = 0, v = 1;
        for (int k = 0; k < run.steps(); k++) {
            double dt = t[k] - t[k + 1];
            double a = Math.exp(-t[k]);
            double e = a * a * lambda + -Math.expm1(-2 * t[k]) + sigma2;
            double c = run.ode() ? dt : 2 * dt; // the score's coefficient
            double keep = 1 + dt - c / e;
            m = keep * m + c * a * mu / e;
            v = keep * keep * v + (run.ode() ? 0 : 2 * dt);
        }
        if (run.tweedie()) {
            double a = Math.exp(-run.tMin());
            double h2 = -Math.expm1(-2 * run.tMin());
            double e = a * a * lambda + h2 + sigma2;
            double keep = (1 - h2 / e) / a;
            m = keep * m + h2 * mu / e;
            v = keep * keep * v;
        }
        return new double[] {m, v};
    }
}
