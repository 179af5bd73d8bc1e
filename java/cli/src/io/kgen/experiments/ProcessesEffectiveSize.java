package io.kgen.experiments;

import io.kgen.FloatMatrix;
import io.kgen.sampling.ForwardProcess;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;

/**
 * The effective dataset size ({@link EffectiveSizeCase}) of the reverse samplers under both forward
 * processes, with the empirical, mollified (Monte Carlo), time-shift and space-time scores at
 * multiples of the rule bandwidth h* = (t / N)^(2 / (k + 4)). The OU sampler runs to the time of
 * Brownian time t, t_OU = (1/2) ln(1 + t), and its samples are divided by a = e^-t_OU: x / a is
 * then the data plus N(0, t I) noise, the law p_t that N_eff is measured against (MATH.md section 8).
 */
final class ProcessesEffectiveSize {
    private static final int STEPS = 200;
    private static final int DRAWS = 4;

    private ProcessesEffectiveSize() {}

    static Table run(Settings s) {
        int d = 2;
        double[] times = s.small() ? new double[] {0.05} : new double[] {0.01, 0.1};
        int[] sizes = s.pick(new int[] {64, 256, 1024}, new int[] {64});
        double[] factors = s.small() ? new double[] {1, 4} : new double[] {1, 2, 4};
        Table table = new Table("d", "t", "N", "process", "score", "h / h*", "h", "KL(q_t || p_t)", "KL(p_t^N || p_t)",
                "N_eff", "N_eff / N", "N_eff note", "seconds");
        for (double t : times) {
            EffectiveSizeCase c = new EffectiveSizeCase(s, d, t, sizes[sizes.length - 1]);
            for (int a = 0; a < sizes.length; a++) {
                int n = sizes[a];
                FloatMatrix[] train = c.trainingSets(a, n);
                double blurredKl = c.blurredKl(train);
                double hStar = EffectiveSizeExperiment.ruleBandwidth(t, n, d);
                for (ForwardProcess process : ForwardProcess.values()) {
                    row(s, c, table, d, t, n, process, "empirical", new ScoreEstimator.Empirical(), Double.NaN, 0, blurredKl,
                            train);
                    for (double f : factors) {
                        double h = f * hStar;
                        row(s, c, table, d, t, n, process, "mollified", new ScoreEstimator.MonteCarlo(h, DRAWS), f, h,
                                blurredKl, train);
                        row(s, c, table, d, t, n, process, "time-shift", new ScoreEstimator.TimeShift(h), f, h, blurredKl,
                                train);
                        row(s, c, table, d, t, n, process, "space-time", new ScoreEstimator.SpaceTime(h, 2, DRAWS), f, h,
                                blurredKl, train);
                    }
                }
            }
        }
        return table;
    }

    private static void row(Settings s, EffectiveSizeCase c, Table table, int d, double t, int n, ForwardProcess process,
            String name, ScoreEstimator score, double factor, double h, double blurredKl, FloatMatrix[] train) {
        long start = System.nanoTime();
        double end = process.fromBrownianTime(t);
        double unscale = 1 / process.scale(end);
        EffectiveSizeCase.Result result = c.judge(set -> scaled(ReverseSde.builder().process(process).score(score)
                .steps(STEPS).tMin(end).tweedie(false).seed(s.seed()).build().sample(s.engine(), set, c.samples()),
                unscale), train);
        double seconds = (System.nanoTime() - start) / 1e9;
        double size = result.size().size();
        boolean empirical = Double.isNaN(factor);
        table.row(d, t, n, process.cliName(), name, empirical ? "-" : factor, empirical ? "-" : h, result.kl(), blurredKl,
                size, size / n, result.note(), seconds);
    }

    /** c x, in place (c = 1: x itself). */
    private static FloatMatrix scaled(FloatMatrix x, double c) {
        if (c == 1) return x;
        for (long i = 0; i < x.rows(); i++) for (int k = 0; k < x.cols(); k++) x.set(i, k, (float) (c * x.get(i, k)));
        return x;
    }
}
