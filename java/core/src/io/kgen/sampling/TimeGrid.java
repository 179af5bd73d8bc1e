package io.kgen.sampling;

import io.kgen.Checks;

/**
 * Time grids for reverse-time integration (MATH.md section 2): {@code T = t_K > ... > t_0 = t_min}.
 * Geometric in t (a constant ratio between steps, so a constant dt/t: the samplers' default) or
 * uniform in sqrt(t) (steps even in the noise level sqrt(t); more of them at large t).
 */
public enum TimeGrid {
    GEOMETRIC, SQRT_UNIFORM;

    /** The K + 1 times, from {@code tMax} down to {@code tMin}. */
    public double[] times(double tMax, double tMin, int steps) {
        Checks.positiveFinite(tMax, "tMax");
        if (!(tMin > 0) || !(tMin < tMax)) {
            throw new IllegalArgumentException("tMin must be in (0, tMax = " + tMax + "), got " + tMin);
        }
        Checks.atLeast(steps, 1, "steps");
        double[] t = new double[steps + 1];
        for (int k = 0; k <= steps; k++) {
            double f = (double) k / steps; // 0 at t_min, 1 at t_max
            if (this == SQRT_UNIFORM) {
                double s = Math.sqrt(tMin) + f * (Math.sqrt(tMax) - Math.sqrt(tMin));
                t[steps - k] = s * s;
            } else {
                t[steps - k] = tMin * Math.pow(tMax / tMin, f);
            }
        }
        t[0] = tMax; // exact ends, whatever the rounding
        t[steps] = tMin;
        return t;
    }
}
