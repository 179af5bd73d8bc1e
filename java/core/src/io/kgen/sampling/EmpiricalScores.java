package io.kgen.sampling;

import io.kgen.Bandwidth;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.Kernel;
import io.kgen.KernelSum;

/**
 * The empirical score of a {@link ForwardProcess} at time t (MATH.md section 8): the law is the
 * mixture of N(a y_j, h^2 I), and its score (a m(x) - x) / h^2 is (1 / a) times the Gaussian
 * kernel-sum score of the data at the query x / a with bandwidth h / a. The queries are scaled,
 * not the data: the data stay one matrix on the context for the whole run, the queries are
 * rewritten every step anyway.
 */
final class EmpiricalScores {
    private EmpiricalScores() {}

    /**
     * The score at time t of the law blurred by N(0, extraVariance I) more (0: the empirical score;
     * sigma^2: the time-shift smoothed score), into {@code out}.
     */
    static void at(Workspace work, DeviceMatrix data, DeviceMatrix x, ForwardProcess process, double t,
            double extraVariance, DeviceMatrix out) {
        Engine engine = work.engine();
        double a = process.scale(t);
        double h = Math.sqrt(process.variance(t) + extraVariance);
        if (a == 1) {
            engine.score(KernelSum.gaussian(h), x, data, out);
            return;
        }
        DeviceMatrix q = work.buffer("process queries", x.rows(), x.cols());
        DeviceMatrix s = work.buffer("process score", x.rows(), x.cols());
        engine.fill(q, 0f);
        engine.addScaled(q, 1 / a, x);
        engine.score(KernelSum.gaussian(h / a), q, data, s);
        engine.fill(out, 0f);
        engine.addScaled(out, 1 / a, s);
    }

    /** The empirical score of row i at its own time t[i], into {@code out}. */
    static void atTimes(Workspace work, DeviceMatrix data, DeviceMatrix x, ForwardProcess process, double[] t,
            DeviceMatrix out) {
        Engine engine = work.engine();
        FloatMatrix inverseScale = FloatMatrix.heap(x.rows(), 1);
        FloatMatrix bandwidth = FloatMatrix.heap(x.rows(), 1);
        for (int i = 0; i < t.length; i++) {
            inverseScale.set(i, 0, (float) (1 / process.scale(t[i])));
            bandwidth.set(i, 0, (float) Math.sqrt(process.brownianTime(t[i])));
        }
        DeviceMatrix q = work.buffer("process queries", x.rows(), x.cols());
        DeviceMatrix s = work.buffer("process score", x.rows(), x.cols());
        engine.fill(q, 0f);
        engine.rowUpdate(q, x, null, inverseScale);
        engine.score(KernelSum.of(Kernel.GAUSSIAN, Bandwidth.perQuery(bandwidth)), q, data, s);
        engine.fill(out, 0f);
        engine.rowUpdate(out, s, null, inverseScale);
    }

    /** The score of draw r at the shifted particles, into {@code out}. */
    @FunctionalInterface
    interface AtDraw {
        void score(DeviceMatrix shifted, int r, DeviceMatrix out);
    }

    /**
     * The mean over R draws of a score at x + sigma xi_r (sigma 0: at x), xi_r the Philox normals of
     * the mollifier stream of (step, r): the Monte Carlo estimators' loop.
     */
    static void averageOverDraws(Workspace work, DeviceMatrix x, double sigma, int draws, long seed, long step,
            DeviceMatrix score, AtDraw at) {
        Engine engine = work.engine();
        DeviceMatrix shifted = work.buffer("monte-carlo shifted", x.rows(), x.cols());
        DeviceMatrix one = work.buffer("monte-carlo score", x.rows(), x.cols());
        engine.fill(score, 0f);
        for (int r = 0; r < draws; r++) {
            engine.copy(x, shifted);
            if (sigma > 0) {
                engine.addNoise(shifted, sigma, work.draws(seed, Streams.of(Streams.MOLLIFIER, step, r), x.cols()));
            }
            at.score(shifted, r, one);
            engine.addScaled(score, 1.0 / draws, one);
        }
    }
}
