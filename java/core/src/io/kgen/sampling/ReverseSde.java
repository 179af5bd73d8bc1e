package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.Matrix;

/**
 * Reverse-time sampling of a diffusion of the data (MATH.md sections 2 and 8): Brownian (variance
 * exploding, the default) or Ornstein-Uhlenbeck ({@link Builder#process}). Start from the
 * process's law at T (N(data mean, T I), or N(0, I) for OU), integrate from T down to t_min with
 * Euler-Maruyama (or the probability-flow ODE), optionally finish with one Tweedie step. The
 * particles stay in the engine's context for the whole trajectory.
 *
 * <pre>{@code
 * FloatMatrix samples = ReverseSde.builder()
 *         .score(new ScoreEstimator.TimeShift(0.05))
 *         .steps(500).seed(7).build()
 *         .sample(engine, data, 1000);
 * }</pre>
 *
 * Defaults: empirical score, T = 10 trace(Cov(data)), t_min with a final noise of 2% of the data's
 * nearest-neighbour spacing (see {@link #defaultEnd}), 500 steps geometric in t,
 * the SDE (not the ODE), a final Tweedie step, seed 0. For OU: T = ln(100 max(1, rms(data)))
 * (the data left at T, e^-T rms, is at most 1% of the unit noise), t_min with the same noise
 * left on the data's scale, (h/a)^2 = e^(2 t_min) - 1, and the grid geometric in (h/a)^2
 * ({@link ForwardProcess#times}). Geometric because the Euler-Maruyama
 * update is x += (dt/t) (m_t(x) - x) + sqrt(dt) xi: a constant dt/t keeps every step equally
 * accurate, where a grid uniform in sqrt(t) takes its last steps with dt close to t itself.
 */
public final class ReverseSde implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final ScoreEstimator score;
    private final ForwardProcess process;
    private final double tMax;
    private final double tMin;
    private final double finalNoise;
    private final int steps;
    private final TimeGrid grid;
    private final boolean ode;
    private final boolean tweedie;
    private final long seed;
    private final transient Progress progress;  // not shipped: a copy elsewhere reports nothing

    /** The default {@link Builder#finalNoise}: 2% of the nearest-neighbour spacing. */
    public static final double DEFAULT_FINAL_NOISE = 0.02;

    private ReverseSde(Builder b) {
        score = b.score;
        process = b.process;
        tMax = b.tMax;
        tMin = b.tMin;
        finalNoise = b.finalNoise;
        steps = b.steps;
        grid = b.grid;
        ode = b.ode;
        tweedie = b.tweedie;
        seed = b.seed;
        progress = b.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Draws {@code count} samples; {@code data} may be a host or a device matrix. */
    public FloatMatrix sample(Engine engine, Matrix data, long count) {
        return sample(engine, data, 0, count);
    }

    /**
     * Draws samples firstParticle .. firstParticle + count - 1 of a larger run: every draw is keyed
     * by the particle's place in that run, so the result is the same bits as those rows of one run
     * from 0 on the same backend (how a cluster splits a run across machines).
     */
    public FloatMatrix sample(Engine engine, Matrix data, long firstParticle, long count) {
        Checks.notNull(engine, "engine");
        Checks.nonEmpty(data, "data");
        Checks.atLeast(count, 1, "count");
        Checks.atLeast(firstParticle, 0, "firstParticle");
        FloatMatrix hostData = data instanceof FloatMatrix f ? f : ((DeviceMatrix) data).download();
        DataMoments moments = DataMoments.of(hostData);
        double start = Double.isNaN(tMax) ? defaultStart(process, moments) : tMax;
        if (!(start > 0)) throw new IllegalArgumentException("data has zero variance: set tMax explicitly");
        double fraction = Double.isNaN(finalNoise) ? DEFAULT_FINAL_NOISE : finalNoise;
        // The end in the Brownian time (h/a)^2, the noise left on the data's scale; OU's reference
        // for degenerate data is the Brownian default start, not e^2T, which is far beyond the data.
        double reference = process == ForwardProcess.BROWNIAN ? start
                : Math.min(process.brownianTime(start), Math.max(10 * moments.totalVariance(), 1e-30));
        double end = Double.isNaN(tMin) ? process.fromBrownianTime(defaultEnd(engine, hostData, reference, fraction))
                : tMin;
        if (!(end < start)) {
            throw new IllegalArgumentException("tMin " + end + " must be below tMax " + start + ": set them explicitly");
        }
        double[] t = process.times(grid, start, end, steps);
        double f = process.drift(), g2 = process.diffusion();
        try (Workspace work = new Workspace(engine, firstParticle);
                DeviceMatrix y = data instanceof DeviceMatrix dm ? null : engine.upload(hostData);
                DeviceMatrix particles = engine.upload(process == ForwardProcess.BROWNIAN
                        ? moments.repeatedMean(count) : FloatMatrix.heap(count, hostData.cols()))) {
            DeviceMatrix onContext = y != null ? y : (DeviceMatrix) data;
            double startSd = process == ForwardProcess.BROWNIAN ? Math.sqrt(start) : 1;
            engine.addNoise(particles, startSd, work.draws(seed, Streams.of(Streams.START, 0, 0), hostData.cols()));
            for (int k = 0; k < steps; k++) {
                double dt = t[k] - t[k + 1];
                // SDE: x += dt (f x + g^2 s) + sqrt(g^2 dt) xi; ODE: x += dt (f x + (g^2 / 2) s).
                score.eulerStep(work, onContext, particles, process, t[k], f * dt, ode ? g2 * dt / 2 : g2 * dt,
                        ode ? 0 : Math.sqrt(g2 * dt), seed, Streams.of(Streams.STEP_NOISE, k, 0), k);
                Progress.check(progress, k + 1, steps);
            }
            if (tweedie) {
                // Tweedie's formula with the score in use: E[Y | X_t = x] = (x + h^2 s(x)) / a.
                double a = process.scale(end);
                score.eulerStep(work, onContext, particles, process, end, 1 / a - 1, process.variance(end) / a, 0,
                        seed, 0, steps);
            }
            return particles.download();
        }
    }

    /**
     * T by default: 10 trace(Cov(data)) for Brownian motion (the start N(mean, T I) then differs
     * from p_T by O(1/10) in spread); ln(100 max(1, rms)) for OU, rms = sqrt(E|Y|^2), so the data
     * left at T, e^-T Y, is at most 1% of the unit noise of the start N(0, I).
     */
    static double defaultStart(ForwardProcess process, DataMoments moments) {
        if (process == ForwardProcess.BROWNIAN) return 10 * moments.totalVariance();
        return Math.log(100 * Math.max(1, Math.sqrt(moments.secondMoment())));
    }

    /**
     * t_min at which the noise left, sqrt(t_min d), is {@code fraction} (2% by default) of the
     * data's median nearest-neighbour spacing (estimated from at most 256 rows): small against the
     * data in any dimension, where a fixed fraction of T leaves visible noise at high d. Falls back
     * to 1e-5 T for degenerate data.
     */
    static double defaultEnd(Engine engine, FloatMatrix data, double tMax, double fraction) {
        long n = data.rows();
        if (n >= 2) {
            int rows = (int) Math.min(256, n);
            FloatMatrix probe = FloatMatrix.heap(rows, data.cols());
            for (int i = 0; i < rows; i++) {
                probe.setRow(i, data.row(i * (n / rows)));
            }
            // The probe rows are data rows: their nearest is themselves, the second is the spacing.
            FloatMatrix distances = engine.nearestTwo(probe, data, false).distances();
            double[] spacing = new double[rows];
            for (int i = 0; i < rows; i++) spacing[i] = distances.get(i, 1);
            java.util.Arrays.sort(spacing);
            double median = spacing[rows / 2];
            double end = Math.pow(fraction * median, 2) / data.cols();
            if (end > 0 && end < 1e-2 * tMax) return end;
        }
        return 1e-5 * tMax;
    }

    public static final class Builder {
        private ScoreEstimator score = new ScoreEstimator.Empirical();
        private ForwardProcess process = ForwardProcess.BROWNIAN;
        private double tMax = Double.NaN;
        private double tMin = Double.NaN;
        private double finalNoise = Double.NaN;
        private int steps = 500;
        private TimeGrid grid = TimeGrid.GEOMETRIC;
        private boolean ode;
        private boolean tweedie = true;
        private long seed;
        private Progress progress = Progress.NONE;

        public Builder score(ScoreEstimator s) {
            Checks.notNull(s, "score");
            score = s;
            return this;
        }

        /** The forward process whose reverse is integrated (default Brownian). */
        public Builder process(ForwardProcess p) {
            Checks.notNull(p, "process");
            process = p;
            return this;
        }

        /** The start time T (default: see {@link ReverseSde#defaultStart}). */
        public Builder tMax(double t) {
            Checks.positiveFinite(t, "tMax");
            tMax = t;
            return this;
        }

        /** The end time t_min > 0 (default: see {@link ReverseSde#defaultEnd}). */
        public Builder tMin(double t) {
            Checks.positiveFinite(t, "tMin");
            tMin = t;
            return this;
        }

        /**
         * Where the run stops, as the noise left there over the data's median nearest-neighbour
         * spacing (default 0.02): stopping early (0.3, 1) is the plainest way to smooth the
         * empirical score. Sets t_min from the data; use {@link #tMin} or this, not both.
         */
        public Builder finalNoise(double fraction) {
            Checks.positiveFinite(fraction, "finalNoise");
            finalNoise = fraction;
            return this;
        }

        public Builder steps(int k) {
            Checks.atLeast(k, 1, "steps");
            steps = k;
            return this;
        }

        public Builder grid(TimeGrid g) {
            Checks.notNull(g, "grid");
            grid = g;
            return this;
        }

        /** The probability-flow ODE instead of the SDE: no noise, half the score. */
        public Builder ode(boolean on) {
            ode = on;
            return this;
        }

        /** A final denoising (Tweedie) step at t_min. */
        public Builder tweedie(boolean on) {
            tweedie = on;
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

        public ReverseSde build() {
            if (!Double.isNaN(tMin) && !Double.isNaN(finalNoise)) {
                throw new IllegalArgumentException("set tMin (" + tMin + ") or finalNoise (" + finalNoise + "), not both");
            }
            if (!Double.isNaN(tMax) && !Double.isNaN(tMin) && !(tMin < tMax)) {
                throw new IllegalArgumentException("tMin " + tMin + " must be below tMax " + tMax);
            }
            return new ReverseSde(this);
        }
    }
}
