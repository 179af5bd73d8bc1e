package io.kgen.sampling;

import io.kgen.RandomStream;
import io.kgen.Checks;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;

/**
 * DKGM (MATH.md section 4): KDE samples at bandwidth h (stage 1), then the training-free
 * debiasing iteration (stage 2), from noise level t_0 = h^2 down a geometric schedule to t_end:
 *
 * <pre>  x <- x + a_k (D_{t_k}(x) - x) + b_k xi_k,   b_k = noise sqrt(a_k t_k)</pre>
 *
 * Step sizes: {@link StepSizes#REVERSE_SDE} (a_k = dt_k / t_k: with noise = 1 this is the
 * Euler-Maruyama reverse SDE of section 2 from h^2 down) or {@link StepSizes#ROBBINS_MONRO}
 * (a_k = a_0 / (k + 1)^gamma). The noise level and the bandwidth are the two knobs the paper
 * studies. Defaults: the time-shift kernel denoiser with sigma = h / 2, reverse-SDE steps,
 * noise 1, 100 steps, t_end = 1e-3 h^2.
 */
public final class Dkgm {
    public enum StepSizes { REVERSE_SDE, ROBBINS_MONRO }

    private final double bandwidth;
    private final Denoiser denoiser;
    private final StepSizes stepSizes;
    private final double a0;
    private final double gamma;
    private final double noise;
    private final int steps;
    private final double endFraction;
    private final long seed;
    private final Progress progress;

    private Dkgm(Builder b) {
        bandwidth = b.bandwidth;
        denoiser = b.denoiser != null ? b.denoiser : Denoiser.kernel(new ScoreEstimator.TimeShift(b.bandwidth / 2));
        stepSizes = b.stepSizes;
        a0 = b.a0;
        gamma = b.gamma;
        noise = b.noise;
        steps = b.steps;
        endFraction = b.endFraction;
        seed = b.seed;
        progress = b.progress;
    }

    /** A DKGM sampler at KDE bandwidth h (see {@link BandwidthRule} for choosing one). */
    public static Builder builder(double bandwidth) {
        return new Builder(bandwidth);
    }

    /** Stage 1 then stage 2 ({@link #kdeOnly} gives stage 1 alone). */
    public FloatMatrix sample(Engine engine, FloatMatrix data, long count) {
        KdeSampler kde = new KdeSampler(bandwidth, seed);
        try (Workspace work = new Workspace(engine); DeviceMatrix y = engine.upload(data);
                DeviceMatrix x = kde.sampleOnContext(engine, data, count)) {
            DeviceMatrix denoised = work.buffer("denoised", count, data.cols());
            double[] t = TimeGrid.GEOMETRIC.times(bandwidth * bandwidth, endFraction * bandwidth * bandwidth, steps);
            for (int k = 0; k < steps; k++) {
                double a = stepSizes == StepSizes.REVERSE_SDE ? (t[k] - t[k + 1]) / t[k] : a0 / Math.pow(k + 1, gamma);
                double b = noise * Math.sqrt(a * t[k]);
                denoiser.denoise(work, y, x, t[k], seed, k, denoised);
                engine.addScaled(denoised, -1, x); // denoised <- D - x
                engine.eulerStep(x, a, denoised, b, RandomStream.of(seed, Streams.of(Streams.STEP_NOISE, k, 1)));
                Progress.check(progress, k + 1, steps);
            }
            return x.download();
        }
    }

    /** Stage 1 alone, with the same seed: the blurred samples stage 2 starts from. */
    public FloatMatrix kdeOnly(Engine engine, FloatMatrix data, long count) {
        return new KdeSampler(bandwidth, seed).sample(engine, data, count);
    }

    public static final class Builder {
        private final double bandwidth;
        private Denoiser denoiser;
        private StepSizes stepSizes = StepSizes.REVERSE_SDE;
        private double a0 = 0.5;
        private double gamma = 0.75;
        private double noise = 1.0;
        private int steps = 100;
        private double endFraction = 1e-3;
        private long seed;
        private Progress progress = Progress.NONE;

        private Builder(double bandwidth) {
            Checks.positiveFinite(bandwidth, "bandwidth");
            this.bandwidth = bandwidth;
        }

        public Builder denoiser(Denoiser d) {
            Checks.notNull(d, "denoiser");
            denoiser = d;
            return this;
        }

        public Builder reverseSdeSteps() {
            stepSizes = StepSizes.REVERSE_SDE;
            return this;
        }

        /** a_k = a0 / (k + 1)^gamma with a0 in (0, 1] and gamma in (1/2, 1]. */
        public Builder robbinsMonro(double a0, double gamma) {
            if (!(a0 > 0 && a0 <= 1)) throw new IllegalArgumentException("a0 must be in (0, 1], got " + a0);
            if (!(gamma > 0.5 && gamma <= 1)) throw new IllegalArgumentException("gamma must be in (1/2, 1], got " + gamma);
            stepSizes = StepSizes.ROBBINS_MONRO;
            this.a0 = a0;
            this.gamma = gamma;
            return this;
        }

        /** The stage-2 noise level (0: a deterministic iteration). */
        public Builder noise(double level) {
            if (!(level >= 0) || Double.isInfinite(level)) throw new IllegalArgumentException("noise must be finite and >= 0, got " + level);
            noise = level;
            return this;
        }

        public Builder steps(int k) {
            Checks.atLeast(k, 1, "steps");
            steps = k;
            return this;
        }

        /** t_end / h^2, in (0, 1). */
        public Builder endFraction(double f) {
            if (!(f > 0 && f < 1)) throw new IllegalArgumentException("endFraction must be in (0, 1), got " + f);
            endFraction = f;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public Builder progress(Progress p) {
            Checks.notNull(p, "progress");
            progress = p;
            return this;
        }

        public Dkgm build() {
            return new Dkgm(this);
        }
    }
}
