package io.kgen.metrics;

import java.util.function.IntToDoubleFunction;

/**
 * Effective dataset size (MATH.md section 6): the N' at which N' true samples are as close to
 * the truth as the generated ones. The error of N true samples is measured on a geometric grid of
 * N (the caller's function, e.g. the KL of a Gaussian fitted to N draws, averaged over repeats)
 * and N' is read off by log-log interpolation; outside the grid the answer is its end, flagged.
 */
public final class EffectiveSize {
    private EffectiveSize() {}

    public record Estimate(double size, boolean belowGrid, boolean aboveGrid) {}

    /** @param errorOfTrueSamples error of N true samples; must decrease with N on the grid */
    public static Estimate estimate(double generatedError, IntToDoubleFunction errorOfTrueSamples, int smallest,
            int largest, int gridPoints) {
        if (smallest < 1 || largest <= smallest) throw new IllegalArgumentException("need 1 <= smallest < largest");
        if (gridPoints < 2) throw new IllegalArgumentException("gridPoints must be >= 2, got " + gridPoints);
        if (!(generatedError > 0)) throw new IllegalArgumentException("generatedError must be positive, got " + generatedError);
        double[] n = new double[gridPoints];
        double[] e = new double[gridPoints];
        for (int g = 0; g < gridPoints; g++) {
            n[g] = Math.round(smallest * Math.pow((double) largest / smallest, g / (double) (gridPoints - 1)));
            e[g] = errorOfTrueSamples.applyAsDouble((int) n[g]);
        }
        if (generatedError >= e[0]) return new Estimate(n[0], true, false);
        for (int g = 1; g < gridPoints; g++) {
            if (generatedError >= e[g]) {
                double f = Math.log(e[g - 1] / generatedError) / Math.log(e[g - 1] / e[g]);
                return new Estimate(Math.exp(Math.log(n[g - 1]) + f * Math.log(n[g] / n[g - 1])), false, false);
            }
        }
        return new Estimate(n[gridPoints - 1], false, true);
    }
}
