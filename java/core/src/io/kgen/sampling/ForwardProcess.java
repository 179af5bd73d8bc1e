package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.CliNames;

/**
 * The forward noising process the reverse-time samplers undo (MATH.md sections 2 and 8). Both
 * have Gaussian transition laws, X_t = a(t) Y + h(t) Z, so the empirical law at time t is a
 * mixture of N(a y_j, h^2 I) and its score is one Gaussian kernel sum of the data at the queries
 * x / a with bandwidth h / a (the data are never rescaled).
 *
 * <ul>
 *   <li>{@link #BROWNIAN} (variance exploding): dX = dW, a = 1, h^2 = t.
 *   <li>{@link #OU} (Ornstein-Uhlenbeck, variance preserving): dX = -X dt + sqrt(2) dW,
 *       a = e^-t, h^2 = 1 - e^-2t; its stationary law N(0, I) is where the reverse run starts.
 * </ul>
 *
 * The reverse SDE of dX = -f X dt + g dW is dx = (f x + g^2 s_t(x)) dt + g dW backwards in t, and
 * the probability-flow ODE is dx = (f x + (g^2 / 2) s_t(x)) dt.
 */
public enum ForwardProcess {
    BROWNIAN(0, 1),
    OU(1, 2);

    private final double f;
    private final double g2;

    ForwardProcess(double f, double g2) {
        this.f = f;
        this.g2 = g2;
    }

    /** a(t): how much of the data is left at time t. */
    public double scale(double t) {
        return this == BROWNIAN ? 1 : Math.exp(-t);
    }

    /** h(t)^2: the variance of the noise added by time t. */
    public double variance(double t) {
        return this == BROWNIAN ? t : -Math.expm1(-2 * t);
    }

    /**
     * (h / a)^2, the Brownian time with the same noise-to-signal ratio: the kernel bandwidth on the
     * data is its square root (e^2t - 1 for OU).
     */
    public double brownianTime(double t) {
        return this == BROWNIAN ? t : Math.expm1(2 * t);
    }

    /** The inverse of {@link #brownianTime}. */
    public double fromBrownianTime(double tau) {
        return this == BROWNIAN ? tau : 0.5 * Math.log1p(tau);
    }

    /** f of the reverse drift f x + g^2 s: 0 (Brownian) or 1 (OU). */
    double drift() {
        return f;
    }

    /** g^2, the diffusion coefficient squared: 1 (Brownian) or 2 (OU). */
    double diffusion() {
        return g2;
    }

    /**
     * The K + 1 times from tMax down to tMin: {@code grid} laid out in the Brownian time (h/a)^2
     * and mapped back. For Brownian motion that is the grid itself; for OU the geometric grid is
     * geometric in the noise-to-signal ratio (uniform in log-SNR): geometric in t near 0, where OU
     * is Brownian motion at time 2t, and uniform in t at large t, where the law barely changes.
     */
    public double[] times(TimeGrid grid, double tMax, double tMin, int steps) {
        Checks.notNull(grid, "grid");
        if (this == BROWNIAN) return grid.times(tMax, tMin, steps);
        Checks.positiveFinite(tMax, "tMax");
        if (!(tMin > 0) || !(tMin < tMax)) {
            throw new IllegalArgumentException("tMin must be in (0, tMax = " + tMax + "), got " + tMin);
        }
        double[] t = grid.times(brownianTime(tMax), brownianTime(tMin), steps);
        for (int k = 0; k < t.length; k++) t[k] = fromBrownianTime(t[k]);
        t[0] = tMax; // exact ends, whatever the rounding
        t[steps] = tMin;
        return t;
    }

    /** The name on the command line: brownian, ou. */
    public String cliName() {
        return CliNames.of(this);
    }

    public static ForwardProcess fromCliName(String name) {
        return CliNames.parse(ForwardProcess.class, name, "process");
    }
}
