package io.kgen.experiments;

import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import io.kgen.plot.LinePlot;
import io.kgen.sampling.Method;
import java.util.List;
import java.util.Locale;

/**
 * Every sampler judged on data it did not see: for each built-in set, each method of
 * {@link Method} over a sweep of its smoothing knob draws samples from the training part, and
 * the samples are held against the held-out part.
 *
 * <p>Columns: the memorization ratio (share of samples with d1 / d2 &lt; 1/3 to the training
 * set); the NN ratio, median distance from a sample to its nearest training point over the same
 * for held-out points (about 1 for new data from the same law, 0 for copies); the unbiased MMD^2
 * of the samples to the held-out set, Gaussian kernel at the median pairwise distance of the
 * held-out set, next to the floor, the MMD^2 of a training subset of the same size (what real
 * data reaches with that many points); wall time. A first row per set gives real data's own figures:
 * the held-out points' memorization ratio (new points, some of which pass the d1/d2 test by chance)
 * and the floor. One plot per set of memorization against MMD^2,
 * a curve per method through its sweep: the frontier, with real data's own point (the floor).
 */
public final class HeldoutExperiment implements Experiment {
    @Override
    public String name() {
        return "heldout";
    }

    @Override
    public String description() {
        return "every sampler on held-out data: memorization, NN ratio, MMD^2 against the real-data floor; frontier plots";
    }

    /** One data set's sizes: training points, held-out points, samples, and a step cap (0: defaults). */
    record Setting(Dataset set, int train, int heldOut, int samples, int maxSteps) {}

    static List<Setting> settings(boolean small) {
        if (small) {
            return List.of(new Setting(Dataset.SWISS_ROLL, 300, 300, 150, 60),
                    new Setting(Dataset.MNIST, 200, 200, 40, 20));
        }
        return List.of(new Setting(Dataset.SWISS_ROLL, 1000, 2000, 1000, 0),
                new Setting(Dataset.GAUSSIAN_4D, 1000, 2000, 1000, 0),
                new Setting(Dataset.MNIST, 2000, 2000, 500, 0));
    }

    /** The knob's factors swept for a method: around the default, wider on the side that smooths more. */
    static double[] sweep(Method m, boolean small) {
        double[] full;
        switch (m.knob()) {
            case FINAL_NOISE:
                full = new double[] {0.02, 0.3, 1, 2, 4};
                break;
            case SIGMA:
                full = new double[] {0.125, 0.25, 0.35, 0.5, 0.7, 1};
                break;
            case TEMPERATURE:
                full = new double[] {0.5, 1, 2, 4, 8};
                break;
            default:
                full = new double[] {0.25, 0.35, 0.5, 0.7, 1, 2};
                break;
        }
        return small ? new double[] {full[1], full[full.length - 2]} : full;
    }

    @Override
    public Table run(Settings s) throws Exception {
        Table table = new Table("data", "N", "method", "knob", "factor", "steps", "memorization ratio", "NN ratio",
                "MMD^2 to held-out", "MMD^2 floor", "seconds");
        for (Setting setting : settings(s.small())) {
            runSet(s, setting, table);
            table.write(s.out(), "heldout"); // after each set: a long run keeps what it has done
        }
        return table;
    }

    private static void runSet(Settings s, Setting setting, Table table) throws Exception {
        HeldoutFrontier frontier = new HeldoutFrontier(s.engine(), setting, s.seed());
        String name = frontier.name();
        double floor = frontier.floor();
        // Real data's own row: held-out points are new by definition, yet a few pass the d1/d2 test
        // by chance (in 2-d, about one in ten): the memorization ratio's floor.
        table.row(name, setting.train(), "held-out points", "-", "-", "-", frontier.realMemorization(), 1.0, floor,
                floor, "-");
        LinePlot plot = frontier.plot();
        for (Method m : Method.values()) {
            double[] factors = sweep(m, s.small());
            double[] mmd = new double[factors.length];
            double[] memorized = new double[factors.length];
            int steps = steps(setting, m);
            for (int i = 0; i < factors.length; i++) {
                long start = System.nanoTime();
                FloatMatrix x = m.sample(s.engine(), frontier.train(), setting.samples(),
                        Method.Options.defaults(s.seed()).withFactor(factors[i]).withSteps(steps));
                double seconds = (System.nanoTime() - start) / 1e9;
                HeldoutFrontier.Scores scores = frontier.score(x);
                memorized[i] = scores.memorization();
                mmd[i] = scores.mmd2();
                table.row(name, setting.train(), m.cliName(), m.knob().label(), factors[i], steps, memorized[i],
                        scores.nnRatio(), mmd[i], floor, seconds);
                // A line per run: the full setting takes a while on a CPU.
                System.err.printf(Locale.ROOT, "kgen: heldout %s %s x%s: memorization %.3f, NN ratio %.3f, MMD^2 %.3g "
                        + "(floor %.3g), %.1f s%n", name, m.cliName(), factors[i], memorized[i], scores.nnRatio(),
                        mmd[i], floor, seconds);
            }
            plot.series(m.cliName(), mmd, memorized);
        }
        frontier.addFloor(plot);
        plot.writePng(s.out().resolve("heldout-frontier-" + name + ".png"), 900, 700);
    }

    /** A method's steps in a setting: its default, capped by the setting's cap. */
    static int steps(Setting setting, Method m) {
        return setting.maxSteps() > 0 ? Math.min(setting.maxSteps(), m.defaultSteps()) : m.defaultSteps();
    }
}
