package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.CliNames;
import io.kgen.Engine;
import io.kgen.FloatMatrix;

/**
 * kgen's samplers by name, each with its one smoothing knob and the defaults that the held-out
 * frontier chose ({@code kgen experiment heldout}; docs/RESULTS.md has the table): the command
 * line and the experiments draw through here, so both run exactly the same code.
 *
 * <p>A knob's value is given in its unit ({@link Knob#unit}) times a factor: sigma and the KDE
 * bandwidth in Silverman's bandwidths, the drifting bandwidth in tenths of the data's spread, the
 * empirical score's stopping point in nearest-neighbour spacings, the batch field's temperatures
 * as multiples of its defaults.
 */
public enum Method {
    /** Reverse SDE with the empirical score: reproduces training points unless stopped early. */
    SDE(Knob.FINAL_NOISE, 0.02, 500),
    /** Reverse SDE with the time-shift smoothed score (the default method). */
    SDE_SMOOTHED(Knob.SIGMA, 0.25, 500),
    /** Reverse SDE with the Monte Carlo smoothed score (one draw per step unless set). */
    SDE_MC(Knob.SIGMA, 0.25, 500),
    /**
     * Reverse SDE with the space-time smoothed score: Monte Carlo in space and over a window of
     * times ({@link ScoreEstimator.SpaceTime}; window 2 unless set, one draw per step unless set).
     */
    SDE_SPACETIME(Knob.SIGMA, 0.25, 500),
    /** One draw from the Gaussian KDE. */
    KDE(Knob.KDE_BANDWIDTH, 1, 1),
    /** KDE draws, then the DKGM debiasing iteration. */
    DKGM(Knob.KDE_BANDWIDTH, 1, 100),
    /** Drifting with the Laplace displacement field. */
    DRIFT_LAPLACE(Knob.DRIFT_BANDWIDTH, 1, 100),
    /** Drifting with the conservative field, the gradient of the Gaussian KDE. */
    DRIFT_GRADIENT(Knob.DRIFT_BANDWIDTH, 1, 100),
    /** Drifting with Deng et al.'s batch field as their official code computes it. */
    DRIFT_BATCH(Knob.TEMPERATURE, 1, 100);

    /** What a method's smoothing strength is, and the data-derived unit its factor multiplies. */
    public enum Knob {
        FINAL_NOISE("final noise / NN spacing"),
        SIGMA("sigma / Silverman"),
        KDE_BANDWIDTH("h / Silverman"),
        DRIFT_BANDWIDTH("bandwidth / (spread / 10)"),
        TEMPERATURE("temperatures / defaults");

        private final String label;

        Knob(String label) {
            this.label = label;
        }

        /** How the factor reads in a table: "sigma / Silverman", ... */
        public String label() {
            return label;
        }

        /** The value a factor of 1 stands for on this data. */
        public double unit(FloatMatrix data) {
            switch (this) {
                case SIGMA:
                case KDE_BANDWIDTH:
                    return BandwidthRule.silverman(data);
                case DRIFT_BANDWIDTH:
                    return BandwidthRule.spread(data) / 10;
                default:
                    return 1;
            }
        }
    }

    private final Knob knob;
    private final double defaultFactor;
    private final int defaultSteps;

    Method(Knob knob, double defaultFactor, int defaultSteps) {
        this.knob = knob;
        this.defaultFactor = defaultFactor;
        this.defaultSteps = defaultSteps;
    }

    public Knob knob() {
        return knob;
    }

    /** The knob's default, in units of {@link Knob#unit}. */
    public double defaultFactor() {
        return defaultFactor;
    }

    /** Integration or iteration steps by default (1 for the KDE, which takes none). */
    public int defaultSteps() {
        return defaultSteps;
    }

    /** Whether the method integrates the reverse SDE (and so takes --ode and --process). */
    public boolean isReverseSde() {
        return this == SDE || this == SDE_SMOOTHED || this == SDE_MC || this == SDE_SPACETIME;
    }

    /** The time window of {@link #SDE_SPACETIME} unless set: Brownian times within a factor 2. */
    public static final double DEFAULT_WINDOW = 2;

    /** The name on the command line: sde, sde-smoothed, drift-laplace, ... */
    public String cliName() {
        return CliNames.of(this);
    }

    public static Method fromCliName(String name) {
        return CliNames.parse(Method.class, name, "method");
    }

    /**
     * How one run is set: {@code factor} in units of the knob (NaN: the method's default),
     * {@code steps} (0: the default), Monte Carlo {@code draws} (sde-mc, sde-spacetime), the ODE
     * instead of the SDE and the forward {@code process} (the sde methods), the time {@code window}
     * (sde-spacetime; NaN: {@link #DEFAULT_WINDOW}).
     */
    public record Options(double factor, int steps, int draws, boolean ode, ForwardProcess process, double window,
            long seed, Progress progress) {
        public Options {
            if (!Double.isNaN(factor)) Checks.positiveFinite(factor, "factor");
            Checks.atLeast(steps, 0, "steps");
            Checks.atLeast(draws, 1, "draws");
            Checks.notNull(process, "process");
            if (!Double.isNaN(window) && !(window >= 1 && window < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("window must be >= 1 and finite, got " + window);
            }
            Checks.notNull(progress, "progress");
        }

        /** The Brownian process and the default window. */
        public Options(double factor, int steps, int draws, boolean ode, long seed, Progress progress) {
            this(factor, steps, draws, ode, ForwardProcess.BROWNIAN, Double.NaN, seed, progress);
        }

        /** Every default, the given seed. */
        public static Options defaults(long seed) {
            return new Options(Double.NaN, 0, 1, false, seed, Progress.NONE);
        }

        public Options withFactor(double f) {
            return new Options(f, steps, draws, ode, process, window, seed, progress);
        }

        public Options withSteps(int k) {
            return new Options(factor, k, draws, ode, process, window, seed, progress);
        }

        public Options withProcess(ForwardProcess p) {
            return new Options(factor, steps, draws, ode, p, window, seed, progress);
        }
    }

    /** {@code count} samples from {@code data}. */
    public FloatMatrix sample(Engine engine, FloatMatrix data, int count, Options o) {
        double factor = Double.isNaN(o.factor()) ? defaultFactor : o.factor();
        double value = factor * knob.unit(data);
        int steps = o.steps() > 0 ? o.steps() : defaultSteps;
        if (!isReverseSde() && o.process() != ForwardProcess.BROWNIAN) {
            throw new IllegalArgumentException("process " + o.process().cliName() + " applies to the sde methods only, not "
                    + cliName());
        }
        switch (this) {
            case SDE:
            case SDE_SMOOTHED:
            case SDE_MC:
            case SDE_SPACETIME: {
                ReverseSde.Builder b = ReverseSde.builder().process(o.process()).steps(steps).ode(o.ode()).seed(o.seed())
                        .progress(o.progress());
                if (this == SDE) b.finalNoise(value);
                double window = Double.isNaN(o.window()) ? DEFAULT_WINDOW : o.window();
                b.score(this == SDE ? new ScoreEstimator.Empirical()
                        : this == SDE_MC ? new ScoreEstimator.MonteCarlo(value, o.draws())
                        : this == SDE_SPACETIME ? new ScoreEstimator.SpaceTime(value, window, o.draws())
                        : new ScoreEstimator.TimeShift(value));
                return b.build().sample(engine, data, count);
            }
            case KDE:
                return new KdeSampler(value, o.seed()).sample(engine, data, count);
            case DKGM:
                return Dkgm.builder(value).steps(steps).seed(o.seed()).progress(o.progress()).build()
                        .sample(engine, data, count);
            case DRIFT_BATCH: {
                double[] temperatures = BatchLaplaceField.DEFAULT_TEMPERATURES.clone();
                for (int i = 0; i < temperatures.length; i++) temperatures[i] *= value;
                return Drifting.builder().field(Drifting.Field.LAPLACE_BATCH).temperatures(temperatures).steps(steps)
                        .progress(o.progress()).build().run(engine, data, count, o.seed());
            }
            default: {
                Drifting.Field field = this == DRIFT_LAPLACE ? Drifting.Field.LAPLACE : Drifting.Field.GAUSSIAN_GRADIENT;
                return Drifting.builder().field(field).bandwidth(value).steps(steps).progress(o.progress()).build()
                        .run(engine, data, count, o.seed());
            }
        }
    }
}
