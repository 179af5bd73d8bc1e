package io.kgen.sampling;

import io.kgen.KernelSumOutputs;
import io.kgen.RandomStream;
import io.kgen.Checks;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.Kernel;

/**
 * Drifting (MATH.md section 5): particles pulled by the data and pushed apart by each other,
 * x <- x + eta V(x), V = V+_data - V-_particles (self excluded).
 *
 * <ul>
 *   <li>{@link Field#LAPLACE}: the displacement drift, V = sum_j P_j (y_j - x) - sum_l Q_l (x_l - x)
 *       with P, Q softmaxes of -|x - .|/tau: MEAN_data(x) - MEAN_particles^(-i)(x). Not a gradient.
 *   <li>{@link Field#GAUSSIAN_GRADIENT}: the conservative drift, the difference of the KDE scores of
 *       data and particles at bandwidth h, (MEAN_data(x) - MEAN_particles^(-i)(x)) / h^2.
 * </ul>
 *
 * <ul>
 *   <li>{@link Field#LAPLACE_BATCH}: Deng et al.'s field as the official code computes it (see
 *       {@link BatchLaplaceField}): the particles are the generated batch and its negatives, the
 *       data the positives, optional fixed negatives and per-point weights; the bandwidth is
 *       unused, the temperatures are relative to the batch's mean distance, and the field is a
 *       step in data coordinates (each temperature adds a term whose RMS over the particles is
 *       the batch's mean distance), so eta is a fraction of it.
 * </ul>
 *
 * Defaults: Laplace, tau = 0.1, eta = 0.5 (Laplace), 0.5 h^2 (Gaussian) or
 * {@value #BATCH_STEP} (batch form), temperatures 0.02, 0.05, 0.2, 100 steps.
 */
public final class Drifting {
    public enum Field { LAPLACE, GAUSSIAN_GRADIENT, LAPLACE_BATCH }

    /**
     * The batch form's default eta, a fraction of its step. The step does not shrink near the
     * data (unit RMS per temperature), so eta sets how much the particles jitter there: on a
     * 500-point Swiss roll with 200 particles from N(0, I), 4 seeds, the median distance to the
     * data fell in 100 steps to 0.074-0.087 of its start at eta 0.005, 0.071-0.086 at 0.01,
     * 0.080-0.121 at 0.02 and 0.092-0.142 at 0.03; at 0.1 it stayed at 0.53-0.70 after 200 steps
     * (the particles overshoot).
     */
    public static final double BATCH_STEP = 0.01;

    private final Field field;
    private final double bandwidth;
    private final double eta; // NaN: the field's default, fixed when the data is known
    private final int steps;
    private final Progress progress;
    private final BatchLaplaceField batch;
    private final FloatMatrix negatives;
    private final BatchWeights weights;

    private Drifting(Builder b) {
        field = b.field;
        bandwidth = b.bandwidth;
        eta = b.eta;
        steps = b.steps;
        progress = b.progress;
        batch = field == Field.LAPLACE_BATCH ? new BatchLaplaceField(b.temperatures) : null;
        negatives = b.negatives;
        weights = b.weights;
        if (batch == null && (negatives != null || weights != BatchWeights.UNIT)) {
            throw new IllegalArgumentException("fixed negatives and weights are for the LAPLACE_BATCH field, not " + field);
        }
    }

    private double stepSize() {
        if (!Double.isNaN(eta)) return eta;
        switch (field) {
            case LAPLACE:
                return 0.5;
            case GAUSSIAN_GRADIENT:
                return 0.5 * bandwidth * bandwidth;
            default:
                return BATCH_STEP;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts {@code count} particles from N(data mean, s^2 I), s^2 the data's mean per-coordinate
     * variance, drawn from the Philox stream of {@code seed}, and runs them.
     */
    public FloatMatrix run(Engine engine, FloatMatrix data, long count, long seed) {
        Checks.nonEmpty(data, "data");
        Checks.atLeast(count, 2, "count");
        DataMoments moments = DataMoments.of(data);
        double s = Math.sqrt(moments.totalVariance() / data.cols());
        FloatMatrix start = moments.repeatedMean(count);
        try (var x = engine.upload(start)) {
            engine.addNoise(x, s > 0 ? s : 1, RandomStream.of(seed, Streams.of(Streams.START, 0, 0)));
            start = x.download();
        }
        return run(engine, data, start);
    }

    /** Moves the particles (at least 2) for all steps; returns them. */
    public FloatMatrix run(Engine engine, FloatMatrix data, FloatMatrix start) {
        return move(engine, data, start, steps, true);
    }

    /**
     * The data side of the field where the data is not in this engine (a cluster holds it):
     * MEAN_data(x) for every particle, as host rows.
     */
    @FunctionalInterface
    public interface DataPull {
        FloatMatrix means(Engine engine, KernelSum spec, FloatMatrix particles);
    }

    /**
     * Moves the particles for all steps with the data's pull computed by {@code pull} (one call
     * per step) and the particles' push on {@code engine}. The same steps as {@link #run(Engine,
     * FloatMatrix, FloatMatrix)}; the default step size needs no data here (the Laplace and
     * Gaussian fields' defaults depend only on their bandwidth). Not for the batch field, which
     * needs the data on the host.
     */
    public FloatMatrix run(Engine engine, DataPull pull, FloatMatrix start) {
        Checks.notNull(engine, "engine");
        Checks.notNull(pull, "pull");
        if (batch != null) throw new IllegalArgumentException("the LAPLACE_BATCH field needs the data on the host");
        requireParticles(start);
        double step = stepSize();
        try (Workspace work = new Workspace(engine); DeviceMatrix x = engine.upload(start)) {
            return repeat(work, x, steps, true, step, () -> {
                KernelSum spec = spec();
                FloatMatrix means = pull.means(engine, spec, x.download());
                Checks.rowsCols(means, x.rows(), x.cols(), "the pull's means");
                DeviceMatrix pulled = work.buffer("pull", x.rows(), x.cols());
                engine.copy(means, pulled);
                pushAndMove(work, x, pulled, spec, step);
            });
        }
    }

    /** Training pairs (x, x + eta V(x)) for a one-step generator: returns the targets. */
    public FloatMatrix targets(Engine engine, FloatMatrix data, FloatMatrix particles) {
        return move(engine, data, particles, 1, false);
    }

    private FloatMatrix move(Engine engine, FloatMatrix data, FloatMatrix start, int count, boolean report) {
        requireShapes(data, start);
        double step = stepSize();
        try (Workspace work = new Workspace(engine); DeviceMatrix y = engine.upload(data);
                DeviceMatrix x = engine.upload(start)) {
            return repeat(work, x, count, report, step, () -> step(work, data, y, x, step));
        }
    }

    /** Takes {@code count} steps of x, each checked for overflow; returns the particles. */
    private FloatMatrix repeat(Workspace work, DeviceMatrix x, int count, boolean report, double step, Runnable one) {
        for (int k = 0; k < count; k++) {
            one.run();
            // An overflowing step is named here, not as "non-finite queries" in the next call.
            if (!Double.isFinite(work.engine().sumSquares(x))) {
                throw new IllegalArgumentException("drifting step " + (k + 1) + " of " + count + " moved the particles "
                        + "beyond float range (step size eta = " + step + "): use a smaller eta");
            }
            if (report) Progress.check(progress, k + 1, count);
        }
        return x.download();
    }

    private void step(Workspace work, FloatMatrix hostData, DeviceMatrix data, DeviceMatrix x, double step) {
        Engine engine = work.engine();
        if (batch != null) {
            // The batch field is computed on the host (see BatchLaplaceField): the particles cross once per step.
            engine.addScaled(x, step, batch.step(x.download(), hostData, negatives, weights));
            return;
        }
        DeviceMatrix pull = work.buffer("pull", x.rows(), x.cols());
        KernelSum spec = spec();
        engine.kernelSums(spec, x, data, KernelSumOutputs.lseAndMean(null, pull));
        pushAndMove(work, x, pull, spec, step);
    }

    private KernelSum spec() {
        Kernel kernel = field == Field.LAPLACE ? Kernel.LAPLACE : Kernel.GAUSSIAN;
        return KernelSum.of(kernel, io.kgen.Bandwidth.of((float) bandwidth));
    }

    /** The particles' push (self excluded), then x <- x + eta (pull - push) in the field's scale. */
    private void pushAndMove(Workspace work, DeviceMatrix x, DeviceMatrix pull, KernelSum spec, double step) {
        Engine engine = work.engine();
        DeviceMatrix push = work.buffer("push", x.rows(), x.cols());
        engine.kernelSums(spec.withLeaveOneOut(true), x, x, KernelSumOutputs.lseAndMean(null, push));
        double scale = field == Field.LAPLACE ? step : step / (bandwidth * bandwidth);
        engine.addScaled(x, scale, pull, -scale, push);
    }

    private static void requireParticles(FloatMatrix particles) {
        if (particles == null || particles.rows() < 2) {
            throw new IllegalArgumentException("drifting needs at least 2 particles, got "
                    + (particles == null ? 0 : particles.rows()));
        }
    }

    private static void requireShapes(FloatMatrix data, FloatMatrix particles) {
        Checks.nonEmpty(data, "data");
        requireParticles(particles);
        if (particles.cols() != data.cols()) {
            throw new IllegalArgumentException("particles have " + particles.cols() + " columns but data has " + data.cols());
        }
    }

    public static final class Builder {
        private Field field = Field.LAPLACE;
        private double bandwidth = 0.1;
        private double eta = Double.NaN;
        private int steps = 100;
        private Progress progress = Progress.NONE;
        private double[] temperatures = BatchLaplaceField.DEFAULT_TEMPERATURES;
        private FloatMatrix negatives;
        private BatchWeights weights = BatchWeights.UNIT;

        public Builder field(Field f) {
            Checks.notNull(f, "field");
            field = f;
            return this;
        }

        /** tau for the Laplace field, h for the Gaussian one. */
        public Builder bandwidth(double b) {
            Checks.positiveFinite(b, "bandwidth");
            bandwidth = b;
            return this;
        }

        public Builder stepSize(double e) {
            Checks.positiveFinite(e, "step size");
            eta = e;
            return this;
        }

        public Builder steps(int k) {
            Checks.atLeast(k, 1, "steps");
            steps = k;
            return this;
        }

        public Builder progress(Progress p) {
            Checks.notNull(p, "progress");
            progress = p;
            return this;
        }

        /** The batch form's temperatures, relative to the batch's mean distance. */
        public Builder temperatures(double... t) {
            Checks.notNull(t, "temperatures");
            new BatchLaplaceField(t); // checks them
            temperatures = t.clone();
            return this;
        }

        /** Fixed negatives of the batch form, besides the particles themselves (none by default). */
        public Builder negatives(FloatMatrix z) {
            negatives = Checks.nonEmpty(z, "negatives");
            return this;
        }

        /** Per-point weights of the batch form: particles, fixed negatives, data (unit by default). */
        public Builder weights(BatchWeights w) {
            weights = Checks.notNull(w, "weights");
            return this;
        }

        public Drifting build() {
            return new Drifting(this);
        }
    }
}
