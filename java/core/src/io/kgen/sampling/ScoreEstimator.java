package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.KernelSum;

/**
 * The score at noise level t used by reverse-time sampling (MATH.md sections 2 and 3).
 *
 * <ul>
 *   <li>{@link Empirical}: the score of the empirical measure blurred to level t,
 *       (m_t(x) - x) / t. Exact for the training set, so the reverse SDE reproduces it
 *       (memorization).
 *   <li>{@link TimeShift}: the smoothed score by the time-shift shortcut, the empirical score at
 *       t + sigma^2 (smooths the density; one evaluation).
 *   <li>{@link MonteCarlo}: the smoothed score E[s_t(x + sigma xi)], averaged over R draws
 *       (unbiased; the draws are fresh at every step).
 * </ul>
 */
public sealed interface ScoreEstimator extends java.io.Serializable {
    /** Writes the score at (x, t) into {@code score}; {@code step} keys the random draws. */
    void score(Workspace work, DeviceMatrix data, DeviceMatrix x, double t, long seed, long step, DeviceMatrix score);

    /**
     * x <- x + step s_t(x) + noise z, z the Philox normals of (seed, stream) at the particles'
     * places ({@link Workspace#draws}): one Euler-Maruyama
     * step (or, with noise 0, an ODE step). By default the score, then the update; estimators
     * whose score is one Gaussian kernel sum fuse both into the reduction.
     */
    default void eulerStep(Workspace work, DeviceMatrix data, DeviceMatrix x, double t, double step, double noise,
            long seed, long stream, long scoreStep) {
        DeviceMatrix s = work.buffer("score", x.rows(), x.cols());
        score(work, data, x, t, seed, scoreStep, s);
        work.engine().eulerStep(x, step, s, noise, work.draws(seed, stream, x.cols()));
    }

    record Empirical() implements ScoreEstimator {
        @Override
        public void score(Workspace work, DeviceMatrix data, DeviceMatrix x, double t, long seed, long step,
                DeviceMatrix score) {
            work.engine().score(KernelSum.gaussian(Math.sqrt(t)), x, data, score);
        }

        @Override
        public void eulerStep(Workspace work, DeviceMatrix data, DeviceMatrix x, double t, double step, double noise,
                long seed, long stream, long scoreStep) {
            work.engine().gaussianScoreStep(KernelSum.gaussian(Math.sqrt(t)), x, data, step, noise,
                    work.draws(seed, stream, x.cols()));
        }
    }

    record TimeShift(double sigma) implements ScoreEstimator {
        public TimeShift {
            Checks.positiveFinite(sigma, "sigma");
        }

        @Override
        public void score(Workspace work, DeviceMatrix data, DeviceMatrix x, double t, long seed, long step,
                DeviceMatrix score) {
            work.engine().score(KernelSum.gaussian(Math.sqrt(t + sigma * sigma)), x, data, score);
        }

        @Override
        public void eulerStep(Workspace work, DeviceMatrix data, DeviceMatrix x, double t, double step, double noise,
                long seed, long stream, long scoreStep) {
            work.engine().gaussianScoreStep(KernelSum.gaussian(Math.sqrt(t + sigma * sigma)), x, data, step, noise,
                    work.draws(seed, stream, x.cols()));
        }
    }

    record MonteCarlo(double sigma, int draws) implements ScoreEstimator {
        public MonteCarlo {
            Checks.positiveFinite(sigma, "sigma");
            if (draws < 1 || draws > 0xFFFF) throw new IllegalArgumentException("draws must be in [1, 65535], got " + draws);
        }

        @Override
        public void score(Workspace work, DeviceMatrix data, DeviceMatrix x, double t, long seed, long step,
                DeviceMatrix score) {
            Engine engine = work.engine();
            KernelSum spec = KernelSum.gaussian(Math.sqrt(t));
            DeviceMatrix shifted = work.buffer("monte-carlo shifted", x.rows(), x.cols());
            DeviceMatrix one = work.buffer("monte-carlo score", x.rows(), x.cols());
            engine.fill(score, 0f);
            for (int r = 0; r < draws; r++) {
                engine.copy(x, shifted);
                engine.addNoise(shifted, sigma, work.draws(seed, Streams.of(Streams.MOLLIFIER, step, r), x.cols()));
                engine.score(spec, shifted, data, one);
                engine.addScaled(score, 1.0 / draws, one);
            }
        }
    }
}
