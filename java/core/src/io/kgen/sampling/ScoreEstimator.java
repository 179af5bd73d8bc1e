package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
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
 *   <li>{@link SpaceTime}: the Monte Carlo score averaged over a window of times as well.
 * </ul>
 *
 * Each is defined for either {@link ForwardProcess}; sigma is in the process's own coordinates.
 */
public sealed interface ScoreEstimator extends java.io.Serializable {
    /**
     * Writes the score at (x, t) of {@code process}'s law into {@code score}; {@code step} keys
     * the random draws.
     */
    void score(Workspace work, DeviceMatrix data, DeviceMatrix x, ForwardProcess process, double t, long seed,
            long step, DeviceMatrix score);

    /** The score of the Brownian process (MATH.md section 2). */
    default void score(Workspace work, DeviceMatrix data, DeviceMatrix x, double t, long seed, long step,
            DeviceMatrix score) {
        score(work, data, x, ForwardProcess.BROWNIAN, t, seed, step, score);
    }

    /**
     * x <- x + grow x + step s_t(x) + noise z, z the Philox normals of (seed, stream) at the
     * particles' places ({@link Workspace#draws}): one Euler-Maruyama step of either process's
     * reverse SDE (grow = f dt, {@link ForwardProcess}), with noise 0 an ODE step, with
     * grow = 1/a - 1 and step = h^2 / a the Tweedie step. By default the score, then the update;
     * estimators whose score is one Gaussian kernel sum fuse both into the reduction where the
     * process is Brownian.
     */
    default void eulerStep(Workspace work, DeviceMatrix data, DeviceMatrix x, ForwardProcess process, double t,
            double grow, double step, double noise, long seed, long stream, long scoreStep) {
        Engine engine = work.engine();
        DeviceMatrix s = work.buffer("score", x.rows(), x.cols());
        score(work, data, x, process, t, seed, scoreStep, s);
        if (grow == 0) {
            engine.eulerStep(x, step, s, noise, work.draws(seed, stream, x.cols()));
            return;
        }
        DeviceMatrix drift = work.buffer("drift", x.rows(), x.cols());
        engine.fill(drift, 0f);
        engine.addScaled(drift, grow, x, step, s);
        engine.eulerStep(x, 1, drift, noise, work.draws(seed, stream, x.cols()));
    }

    record Empirical() implements ScoreEstimator {
        @Override
        public void score(Workspace work, DeviceMatrix data, DeviceMatrix x, ForwardProcess process, double t,
                long seed, long step, DeviceMatrix score) {
            EmpiricalScores.at(work, data, x, process, t, 0, score);
        }

        @Override
        public void eulerStep(Workspace work, DeviceMatrix data, DeviceMatrix x, ForwardProcess process, double t,
                double grow, double step, double noise, long seed, long stream, long scoreStep) {
            if (process != ForwardProcess.BROWNIAN || grow != 0) {
                ScoreEstimator.super.eulerStep(work, data, x, process, t, grow, step, noise, seed, stream, scoreStep);
                return;
            }
            work.engine().gaussianScoreStep(KernelSum.gaussian(Math.sqrt(t)), x, data, step, noise,
                    work.draws(seed, stream, x.cols()));
        }
    }

    record TimeShift(double sigma) implements ScoreEstimator {
        public TimeShift {
            Checks.positiveFinite(sigma, "sigma");
        }

        /** The score of the law blurred by N(0, sigma^2 I) in the process's own coordinates. */
        @Override
        public void score(Workspace work, DeviceMatrix data, DeviceMatrix x, ForwardProcess process, double t,
                long seed, long step, DeviceMatrix score) {
            EmpiricalScores.at(work, data, x, process, t, sigma * sigma, score);
        }

        @Override
        public void eulerStep(Workspace work, DeviceMatrix data, DeviceMatrix x, ForwardProcess process, double t,
                double grow, double step, double noise, long seed, long stream, long scoreStep) {
            if (process != ForwardProcess.BROWNIAN || grow != 0) {
                ScoreEstimator.super.eulerStep(work, data, x, process, t, grow, step, noise, seed, stream, scoreStep);
                return;
            }
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
        public void score(Workspace work, DeviceMatrix data, DeviceMatrix x, ForwardProcess process, double t,
                long seed, long step, DeviceMatrix score) {
            EmpiricalScores.averageOverDraws(work, x, sigma, draws, seed, step, score,
                    (shifted, r, one) -> EmpiricalScores.at(work, data, shifted, process, t, 0, one));
        }
    }

    /**
     * The Monte Carlo smoothed score averaged over time as well (MATH.md section 9): each of R
     * draws evaluates the empirical score at x + sigma xi and at a time t' of its own per particle,
     * whose Brownian time (h/a)^2 is log-uniform in [tau / window, tau window], tau that of t. The
     * window is a ratio of noise-to-signal ratios, so it means the same for both processes; window 1
     * is {@link MonteCarlo}, sigma 0 smooths in time only.
     */
    record SpaceTime(double sigma, double window, int draws) implements ScoreEstimator {
        public SpaceTime {
            if (!(sigma >= 0 && sigma < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("sigma must be >= 0 and finite, got " + sigma);
            }
            if (!(window >= 1 && window < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("window must be >= 1 and finite, got " + window);
            }
            if (draws < 1 || draws > 0xFFFF) throw new IllegalArgumentException("draws must be in [1, 65535], got " + draws);
        }

        @Override
        public void score(Workspace work, DeviceMatrix data, DeviceMatrix x, ForwardProcess process, double t,
                long seed, long step, DeviceMatrix score) {
            Engine engine = work.engine();
            DeviceMatrix uniforms = work.buffer("space-time uniforms", x.rows(), 1);
            double tau = process.brownianTime(t);
            double logWindow = Math.log(window);
            double[] times = new double[Math.toIntExact(x.rows())];
            EmpiricalScores.averageOverDraws(work, x, sigma, draws, seed, step, score, (shifted, r, one) -> {
                engine.fillUniform(uniforms, work.draws(seed, Streams.of(Streams.TIME_WINDOW, step, r), 1));
                FloatMatrix u = uniforms.download();
                for (int i = 0; i < times.length; i++) {
                    times[i] = process.fromBrownianTime(tau * Math.exp(logWindow * (2 * u.get(i, 0) - 1)));
                }
                EmpiricalScores.atTimes(work, data, shifted, process, times, one);
            });
        }
    }
}
