package io.kgen.experiments;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.metrics.EffectiveSize;
import io.kgen.metrics.NearestNeighbourKl;
import io.kgen.plot.LinePlot;
import io.kgen.random.Philox;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

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
        Engine engine = s.engine();
        int samples = s.pick(8000, 6000);
        int steps = 200;
        int repeats = s.pick(5, 2);
        int trainingSets = s.pick(3, 1);
        int draws = 4;
        double[] variances = new double[d];
        double[] blurred = new double[d];
        for (int k = 0; k < d; k++) {
            variances[k] = Math.pow(0.5, k);
            blurred[k] = variances[k] + t;
        }
        int smallest = 8;
        int largest = 64 * sizes[sizes.length - 1];
        Map<Integer, Double> cache = new HashMap<>();
        IntToDoubleFunction reference = n -> cache.computeIfAbsent(n, k -> {
            double sum = 0;
            for (int r = 0; r < repeats; r++) {
                FloatMatrix points = gaussian(k, variances, s.seed() + 7_919L * (r + 1) + k);
                sum += NearestNeighbourKl.toDiagonalGaussian(engine, blur(points, samples, t, s.seed() + r), blurred);
            }
            return sum / repeats;
        });
        String tag = String.format(Locale.ROOT, "d%d-t%s", d, t);
        LinePlot plot = new LinePlot("N_eff / N at t = " + t + ", d = k = " + d + " (mollified: Monte Carlo, " + draws
                + " draws)", "h / h*", "N_eff / N").logAxes(true, false);
        for (int a = 0; a < sizes.length; a++) {
            int n = sizes[a];
            FloatMatrix[] train = new FloatMatrix[trainingSets];
            double empiricalKl = 0;
            for (int r = 0; r < trainingSets; r++) {
                train[r] = gaussian(n, variances, s.seed() + 1_000_003L * (a + 1) + 101L * r);
                empiricalKl += NearestNeighbourKl.toDiagonalGaussian(engine, blur(train[r], samples, t, s.seed() + r),
                        blurred) / trainingSets;
            }
            double hStar = ruleBandwidth(t, n, d);
            Map<String, double[]> ratios = new HashMap<>();
            run(s, table, d, t, n, "empirical", new ScoreEstimator.Empirical(), 0, 0, empiricalKl, reference, smallest,
                    largest, samples, steps, train, blurred);
            for (String score : new String[] {"mollified", "time-shift"}) {
                double[] ratio = new double[factors.length];
                for (int f = 0; f < factors.length; f++) {
                    double h = factors[f] * hStar;
                    ScoreEstimator estimator = score.equals("mollified") ? new ScoreEstimator.MonteCarlo(h, draws)
                            : new ScoreEstimator.TimeShift(h);
                    ratio[f] = run(s, table, d, t, n, score, estimator, factors[f], h, empiricalKl, reference, smallest,
                            largest, samples, steps, train, blurred);
                }
                ratios.put(score, ratio);
            }
            plot.series("N = " + n + " mollified", factors, ratios.get("mollified"));
            plot.series("N = " + n + " time shift", factors, ratios.get("time-shift"));
        }
        plot.writePng(s.out().resolve("neff-" + tag + ".png"), 900, 650);
    }

    /** One setting: samples of q_t from each training set, the mean KL to p_t, N_eff; a table row; returns N_eff / N. */
    private static double run(Settings s, Table table, int d, double t, int n, String name, ScoreEstimator score,
            double factor, double h, double empiricalKl, IntToDoubleFunction reference, int smallest, int largest,
            int samples, int steps, FloatMatrix[] train, double[] blurred) {
        long start = System.nanoTime();
        double kl = 0;
        for (FloatMatrix set : train) {
            FloatMatrix x = ReverseSde.builder().score(score).steps(steps).tMin(t).tweedie(false).seed(s.seed()).build()
                    .sample(s.engine(), set, samples);
            kl += NearestNeighbourKl.toDiagonalGaussian(s.engine(), x, blurred) / train.length;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        EffectiveSize.Estimate eff = EffectiveSize.estimate(Math.max(kl, 1e-12), reference, smallest, largest, 16);
        String note = eff.belowGrid() ? "below grid (<= " + smallest + ")"
                : eff.aboveGrid() ? "above grid (>= " + largest + ")" : "in grid";
        table.row(d, t, n, name, name.equals("empirical") ? "-" : factor, name.equals("empirical") ? "-" : h, kl,
                empiricalKl, eff.size(), eff.size() / n, note, seconds);
        return eff.size() / n;
    }

    /**
     * m draws of the blurred empirical law: each point in turn (equal weights, as the law has,
     * without the scatter of random picks) plus N(0, t I).
     */
    static FloatMatrix blur(FloatMatrix points, int m, double t, long seed) {
        int d = points.cols();
        FloatMatrix out = FloatMatrix.heap(m, d);
        double sd = Math.sqrt(t);
        for (int i = 0; i < m; i++) {
            long pick = i % points.rows();
            for (int k = 0; k < d; k++) {
                out.set(i, k, (float) (points.get(pick, k) + sd * Philox.normal(seed, 12, (long) i * d + k)));
            }
        }
        return out;
    }

    /** n draws of N(0, diag(variances)). */
    static FloatMatrix gaussian(int n, double[] variances, long seed) {
        int d = variances.length;
        FloatMatrix out = FloatMatrix.heap(n, d);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                out.set(i, k, (float) (Math.sqrt(variances[k]) * Philox.normal(seed, 13, (long) i * d + k)));
            }
        }
        return out;
    }
}
