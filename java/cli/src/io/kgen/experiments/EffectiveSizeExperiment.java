package io.kgen.experiments;

import io.kgen.FloatMatrix;
import io.kgen.plot.LinePlot;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The effective dataset size of the kernel-smoothed score (arXiv 2505.22841, section 5.3; the
 * paper reports up to 7N on synthetic data), in the paper's setting as far as its summary gives
 * it: a Gaussian N(0, diag(1, 1/2, 1/4, ...)) of known covariance in k = d dimensions, N over
 * powers of 2, a fixed small time t, the bandwidth rule h* = (t / N)^(2 / (k + 4)) and a sweep
 * of multiples of it, and the KL of the generated law at time t to the true p_t = N(0, S + t I)
 * as the measure.
 *
 * <p>The generated law q_t: the reverse SDE run from T down to t (not to 0, no Tweedie step) with
 * the smoothed score, the mollified one by Monte Carlo (the paper's object) and the time shift
 * (its shortcut). The empirical score's law at t is exactly p_t^N, the N points blurred by
 * N(0, t I). N_eff is the N' whose blurred empirical law p_t^N' is as close to p_t as q_t is:
 * both KLs by the same nearest-neighbour estimator with the same number of samples, so its bias
 * is shared, and both are averaged over fresh training sets (a single set's KL scatters by more
 * than the differences looked for).
 */
public final class EffectiveSizeExperiment implements Experiment {
    @Override
    public String name() {
        return "neff";
    }

    @Override
    public String description() {
        return "effective dataset size of the smoothed score: KL of the law at time t to the truth, N_eff against N and h / h*";
    }

    /** The bandwidth rule h* = (t / N)^(2 / (k + 4)). */
    static double ruleBandwidth(double t, int n, int k) {
        return Math.pow(t / n, 2.0 / (k + 4));
    }

    @Override
    public Table run(Settings s) throws Exception {
        int[] dims = s.pick(new int[] {2, 4}, new int[] {2});
        double[] times = s.small() ? new double[] {0.05} : new double[] {0.01, 0.1};
        int[] sizes = s.pick(new int[] {64, 128, 256, 512, 1024}, new int[] {64, 256});
        double[] factors = s.small() ? new double[] {1, 4} : new double[] {0.5, 1, 2, 4, 8};
        Table table = new Table("d", "t", "N", "score", "h / h*", "h", "KL(q_t || p_t)", "KL(p_t^N || p_t)", "N_eff",
                "N_eff / N", "N_eff note", "seconds");
        for (int d : dims) {
            for (double t : times) {
                runCase(s, d, t, sizes, factors, table);
            }
        }
        table.write(s.out(), "neff");
        return table;
    }

    private static void runCase(Settings s, int d, double t, int[] sizes, double[] factors, Table table) throws Exception {
        int steps = 200;
        int draws = 4;
        EffectiveSizeCase c = new EffectiveSizeCase(s, d, t, sizes[sizes.length - 1]);
        String tag = String.format(Locale.ROOT, "d%d-t%s", d, t);
        LinePlot plot = new LinePlot("N_eff / N at t = " + t + ", d = k = " + d + " (mollified: Monte Carlo, " + draws
                + " draws)", "h / h*", "N_eff / N").logAxes(true, false);
        for (int a = 0; a < sizes.length; a++) {
            int n = sizes[a];
            FloatMatrix[] train = c.trainingSets(a, n);
            double empiricalKl = c.blurredKl(train);
            double hStar = ruleBandwidth(t, n, d);
            Map<String, double[]> ratios = new HashMap<>();
            run(s, c, table, d, t, n, "empirical", new ScoreEstimator.Empirical(), 0, 0, empiricalKl, steps, train);
            for (String score : new String[] {"mollified", "time-shift"}) {
                double[] ratio = new double[factors.length];
                for (int f = 0; f < factors.length; f++) {
                    double h = factors[f] * hStar;
                    ScoreEstimator estimator = score.equals("mollified") ? new ScoreEstimator.MonteCarlo(h, draws)
                            : new ScoreEstimator.TimeShift(h);
                    ratio[f] = run(s, c, table, d, t, n, score, estimator, factors[f], h, empiricalKl, steps, train);
                }
                ratios.put(score, ratio);
            }
            plot.series("N = " + n + " mollified", factors, ratios.get("mollified"));
            plot.series("N = " + n + " time shift", factors, ratios.get("time-shift"));
        }
        plot.writePng(s.out().resolve("neff-" + tag + ".png"), 900, 650);
    }

    /** One setting: samples of q_t from each training set, the mean KL to p_t, N_eff; a table row; returns N_eff / N. */
    private static double run(Settings s, EffectiveSizeCase c, Table table, int d, double t, int n, String name,
            ScoreEstimator score, double factor, double h, double empiricalKl, int steps, FloatMatrix[] train) {
        long start = System.nanoTime();
        EffectiveSizeCase.Result result = c.judge(set -> ReverseSde.builder().score(score).steps(steps).tMin(t)
                .tweedie(false).seed(s.seed()).build().sample(s.engine(), set, c.samples()), train);
        double seconds = (System.nanoTime() - start) / 1e9;
        double size = result.size().size();
        table.row(d, t, n, name, name.equals("empirical") ? "-" : factor, name.equals("empirical") ? "-" : h,
                result.kl(), empiricalKl, size, size / n, result.note(), seconds);
        return size / n;
    }
}
