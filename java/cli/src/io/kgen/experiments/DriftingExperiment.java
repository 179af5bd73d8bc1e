package io.kgen.experiments;

import io.kgen.NearestTwo;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import io.kgen.data.Mnist;
import io.kgen.metrics.Metrics;
import io.kgen.plot.ImageGrid;
import io.kgen.plot.LinePlot;
import io.kgen.plot.ScatterPlot;
import io.kgen.sampling.BandwidthRule;
import io.kgen.sampling.Drifting;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Drifting (MATH.md section 5): Deng et al.'s Laplace displacement field (arXiv 2602.04770), in
 * its plain form and as their official code computes it over a batch ("laplace-batch": joint
 * softmaxes with a floor, cross weights, per-temperature normalisation), against
 * Balasubramanian's conservative Gaussian KDE-gradient field (arXiv 2605.22795).
 * (a) "curves": particles from Gaussian noise, run in chunks of steps, with the energy distance to
 * a held-out true sample and the mean distance to the data after each chunk, on the 2-d Swiss
 * roll and on MNIST. The batch field has no bandwidth (its temperatures are relative to the
 * batch's distances) and runs at its default step. (b) "rate": the conservative field run to convergence for several particle
 * counts M; the least-squares slope of log error against log M is reported next to the claimed
 * rate -1/(d+4) = -1/6, whatever it turns out to be. The error is an energy distance (see
 * {@link Truth}), a squared distance: M iid true points score about E|X - X'| / M, slope -1, and
 * its square root would have half the slope.
 */
public final class DriftingExperiment implements Experiment {
    /** Kernel width on the roll, times its spread (see {@link #rollCurves}). */
    static final double ROLL_WIDTH = 0.1;
    /** Kernel width on MNIST, times the median nearest-neighbour distance (see {@link #mnistCurves}). */
    static final double MNIST_WIDTH = 1.0;
    /** h = RATE_WIDTH spread M^(-1/6) in part (b) (see {@link #rate}). */
    static final double RATE_WIDTH = 0.5;
    static final int RATE_CHUNK = 100;
    static final int RATE_WINDOW = 5;

    private static final Map<String, Drifting.Field> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("laplace", Drifting.Field.LAPLACE);
        FIELDS.put("gaussian-gradient", Drifting.Field.GAUSSIAN_GRADIENT);
        FIELDS.put("laplace-batch", Drifting.Field.LAPLACE_BATCH);
    }

    @Override
    public String name() {
        return "drifting";
    }

    @Override
    public String description() {
        return "Drifting: Laplace (plain and batch) vs conservative Gaussian field (distance over iterations, finite-particle error vs M)";
    }

    @Override
    public Table run(Settings s) throws Exception {
        Table table = new Table("part", "data", "field", "particles M", "bandwidth", "steps", "converged",
                "energy distance first chunk", "energy distance final", "mean NN to data first chunk",
                "mean NN to data final", "log-log slope", "reference slope", "seconds");
        rollCurves(s, table);
        mnistCurves(s, table);
        rate(s, table);
        table.write(s.out(), "drifting");
        return table;
    }

    /**
     * (a) on the 2-d roll. Width 0.1 x spread (about 0.07): far below the 0.63 gap between the
     * roll's arms, so neither field mixes them up, yet several data points wide, so that mass moves
     * along an arm within 200 steps (mass moves along the roll slowly: at 0.05 x spread the
     * Gaussian field's energy distance went 0.0066 to 0.0047 in 200 steps, at 0.1 x 0.0064 to
     * 0.0036; 300 particles, 1000 data points, one seed).
     */
    private static void rollCurves(Settings s, Table table) throws IOException {
        FloatMatrix data = Dataset.SWISS_ROLL.sample(s.pick(2000, 1000), s.seed());
        Truth truth = Truth.of(s.engine(), Dataset.SWISS_ROLL.sample(s.pick(2000, 1000), s.seed() + 1_000_003));
        double width = ROLL_WIDTH * BandwidthRule.spread(data);
        Map<String, FloatMatrix> end = curves(s, table, "swiss-roll", data, truth, width, s.pick(1000, 300), 10, 20);
        for (Map.Entry<String, FloatMatrix> e : end.entrySet()) {
            new ScatterPlot("Drifting on the Swiss roll, " + e.getKey()).layer("data", data).layer("particles", e.getValue())
                    .writePng(s.out().resolve("drifting-swiss-roll-" + e.getKey() + ".png"), 700, 600);
        }
    }

    /**
     * (a) on MNIST. In 784-d the per-pixel spread (about 0.26) says nothing about the distances
     * between images (concentrated around a value some sqrt(784) times larger), so the widths are
     * relative to the median distance from a training digit to its nearest other one. At 1x each
     * particle feels several digits and several particles; narrower, the softmax-normalised push
     * of the single nearest particle is as strong as the pull and the particles fly apart faster
     * (measured at 0.1x: mean distance to the data 8.3 to 12.4 in 20 steps, 64 particles).
     * Measured, in pixel space both plain fields move the particles away from the digits at every
     * width tried (0.1x to 8x), for 16 to 300 particles, and with a 5 times smaller step: a particle
     * far from the others is still pushed by the full distance to their weighted mean, so the
     * particles spread out faster than the data pulls them in. The table and pictures show that.
     */
    private static void mnistCurves(Settings s, Table table) throws IOException {
        Engine engine = s.engine();
        int n = s.pick(1000, 300);
        int heldOutCount = s.pick(1000, 300);
        FloatMatrix train = Dataset.MNIST.sample(n, s.seed());
        Truth truth = Truth.of(engine, Dataset.MNIST.heldOut(heldOutCount, s.seed()));
        NearestTwo near = engine.nearestTwo(train, train, true);
        double[] spacing = new double[n];
        for (int i = 0; i < n; i++) spacing[i] = near.distances().get(i, 0);
        double width = MNIST_WIDTH * SwissRollExperiment.median(spacing);
        Map<String, FloatMatrix> end = curves(s, table, "mnist", train, truth, width, s.pick(64, 16), 5, 10);
        for (Map.Entry<String, FloatMatrix> e : end.entrySet()) {
            ImageGrid.writePng(s.out().resolve("drifting-mnist-" + e.getKey() + ".png"), e.getValue(), Mnist.ROWS, Mnist.COLS, 8, 2);
        }
    }

    /** Both fields in chunks from the same noise; a table row and two curves each; the final particles. */
    private static Map<String, FloatMatrix> curves(Settings s, Table table, String dataName, FloatMatrix data, Truth truth,
            double width, int particles, int chunks, int chunkSteps) throws IOException {
        Engine engine = s.engine();
        LinePlot energyPlot = new LinePlot("Drifting on " + dataName + ": energy distance to held-out", "steps",
                "energy distance").logAxes(false, true);
        LinePlot nearestPlot = new LinePlot("Drifting on " + dataName + ": mean distance to the nearest data point", "steps",
                "mean NN distance").logAxes(false, true);
        Map<String, FloatMatrix> end = new LinkedHashMap<>();
        for (Map.Entry<String, Drifting.Field> f : FIELDS.entrySet()) {
            Drifting drifting = Drifting.builder().field(f.getValue()).bandwidth(width).steps(chunkSteps).build();
            double[] steps = new double[chunks];
            double[] energy = new double[chunks];
            double[] nearest = new double[chunks];
            FloatMatrix x = null;
            double seconds = 0;
            for (int c = 0; c < chunks; c++) {
                long start = System.nanoTime();
                // The same seed for both fields: they start from the same N(mean, s^2 I) particles.
                x = c == 0 ? drifting.run(engine, data, particles, s.seed() + 11) : drifting.run(engine, data, x);
                seconds += (System.nanoTime() - start) / 1e9;
                steps[c] = (c + 1) * chunkSteps;
                energy[c] = truth.energyDistance(engine, x);
                nearest[c] = mean(Metrics.nearestDistances(engine, x, data));
            }
            Object bandwidth = f.getValue() == Drifting.Field.LAPLACE_BATCH ? "-" : width;
            table.row("curves", dataName, f.getKey(), particles, bandwidth, chunks * chunkSteps, "-", energy[0],
                    energy[chunks - 1], nearest[0], nearest[chunks - 1], "-", "-", seconds);
            energyPlot.series(f.getKey(), steps, SwissRollExperiment.positive(energy));
            nearestPlot.series(f.getKey(), steps, nearest);
            end.put(f.getKey(), x);
        }
        energyPlot.writePng(s.out().resolve("drifting-" + dataName + "-energy.png"), 700, 500);
        nearestPlot.writePng(s.out().resolve("drifting-" + dataName + "-nearest.png"), 700, 500);
        return end;
    }

    /**
     * (b) Finite-particle error of the conservative field against M. The claimed rate holds at the
     * best bandwidth, which shrinks like M^(-1/(d+4)): Silverman's rule with n = M, halved because
     * the roll is a curved sheet, not a Gaussian (the full rule, 0.36 at M = 50, would blur the
     * arms). Equilibrium is slow: the error first undershoots, then rises for thousands of steps
     * (measured at M = 200: 7.5e-4 after 200 steps, 1.7e-3 after 2000, 1.9e-3 from about 4000 on).
     * So a run stops once the error changed by less than 2% over the last RATE_WINDOW chunks, past
     * the first 2 RATE_WINDOW chunks (the undershoot) ("converged"), or at the cap ("no"). The step stays the default eta = h^2 / 2: at eta = h^2,
     * which would halve the time, 50 particles never settled (they kept moving about h per chunk).
     */
    private static void rate(Settings s, Table table) throws IOException {
        Engine engine = s.engine();
        int[] sizes = s.pick(new int[] {50, 100, 200, 400, 800}, new int[] {50, 100, 200});
        FloatMatrix target = Dataset.SWISS_ROLL.sample(s.pick(5000, 2000), s.seed() + 2);
        Truth truth = Truth.of(engine, Dataset.SWISS_ROLL.sample(s.pick(10_000, 4000), s.seed() + 3));
        double spread = BandwidthRule.spread(target);
        int maxChunks = s.pick(10_000, 4000) / RATE_CHUNK;
        double[] m = new double[sizes.length];
        double[] error = new double[sizes.length];
        Object[][] rows = new Object[sizes.length][];
        for (int a = 0; a < sizes.length; a++) {
            double h = RATE_WIDTH * spread * Math.pow(sizes[a], -1.0 / 6);
            Drifting drifting = Drifting.builder().field(Drifting.Field.GAUSSIAN_GRADIENT).bandwidth(h).steps(RATE_CHUNK).build();
            long start = System.nanoTime();
            FloatMatrix x = null;
            double[] trace = new double[maxChunks];
            int chunks = 0;
            boolean converged = false;
            while (!converged && chunks < maxChunks) {
                x = chunks == 0 ? drifting.run(engine, target, sizes[a], s.seed() + 12) : drifting.run(engine, target, x);
                trace[chunks] = truth.energyDistance(engine, x);
                chunks++;
                converged = chunks > 2 * RATE_WINDOW
                        && Math.abs(trace[chunks - 1] - trace[chunks - 1 - RATE_WINDOW]) < 0.02 * Math.abs(trace[chunks - 1]);
            }
            double e = trace[chunks - 1];
            int steps = chunks * RATE_CHUNK;
            double seconds = (System.nanoTime() - start) / 1e9;
            m[a] = sizes[a];
            error[a] = e;
            rows[a] = new Object[] {"rate", "swiss-roll", "gaussian-gradient", sizes[a], h, steps, converged ? "yes" : "no",
                trace[0], e, "-", mean(Metrics.nearestDistances(engine, x, target)), null, -1.0 / 6, seconds};
        }
        // A non-positive estimate (held-out noise) would have no logarithm: it enters at a floor.
        double[] fit = leastSquares(log(m), log(SwissRollExperiment.positive(error)));
        for (Object[] row : rows) {
            row[11] = fit[1];
            table.row(row);
        }
        double[] fitted = new double[m.length];
        double[] reference = new double[m.length];
        for (int a = 0; a < m.length; a++) {
            fitted[a] = Math.exp(fit[0] + fit[1] * Math.log(m[a]));
            reference[a] = Math.max(error[0], 1e-6) * Math.pow(m[a] / m[0], -1.0 / 6); // through the first point
        }
        new LinePlot("Conservative field on the Swiss roll: error vs particles", "particles M", "energy distance to truth")
                .logAxes(true, true).series("measured", m, SwissRollExperiment.positive(error))
                .series(String.format(Locale.ROOT, "least squares, slope %.3f", fit[1]), m, fitted)
                .series("rate M^(-1/6)", m, reference)
                .writePng(s.out().resolve("drifting-rate.png"), 700, 500);
    }

    /**
     * A held-out true sample with its mean within-sample distance E|Y - Y'| (U-statistic, i != j)
     * computed once. The particle term is the V-statistic (pairs i = j included), unlike
     * {@link Metrics#energyDistance}: the particles are one interacting set, the measure the flow
     * produces, not iid draws, and their repulsion spreads them more evenly than iid points, which
     * drove the U-statistic below zero on the roll within a few chunks. So this estimates the
     * squared energy distance between the particles' empirical measure and the truth: >= 0 up to
     * the held-out sample's noise.
     */
    record Truth(FloatMatrix sample, double within) {
        static Truth of(Engine engine, FloatMatrix sample) {
            double n = sample.rows();
            return new Truth(sample, engine.distanceSums(sample, sample, null, true).sum() / (n * (n - 1)));
        }

        double energyDistance(Engine engine, FloatMatrix x) {
            double m = x.rows();
            double xy = engine.distanceSums(x, sample, null, false).sum() / (m * sample.rows());
            double xx = engine.distanceSums(x, x, null, false).sum() / (m * m);
            return 2 * xy - xx - within;
        }
    }

    /** {intercept, slope} of the least-squares line y = a + b x. */
    static double[] leastSquares(double[] x, double[] y) {
        double mx = mean(x);
        double my = mean(y);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        double slope = sxy / sxx;
        return new double[] {my - slope * mx, slope};
    }

    private static double[] log(double[] v) {
        return Arrays.stream(v).map(Math::log).toArray();
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

}
