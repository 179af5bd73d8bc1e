package io.kgen.experiments;

import io.kgen.FloatMatrix;
import io.kgen.plot.LinePlot;
import io.kgen.sampling.ForwardProcess;
import io.kgen.sampling.Method;
import java.util.List;

/**
 * The open questions of the kernel-smoothed score paper on the held-out frontier
 * ({@link HeldoutFrontier}): the reverse-SDE samplers (empirical, time shift, Monte Carlo,
 * space-time smoothing) under the Brownian process, the baseline, and under the Ornstein-Uhlenbeck
 * process (MATH.md sections 8 and 9), each over {@link HeldoutExperiment}'s sweep of its knob, on
 * the same training and held-out parts and with the same seed. One frontier plot per set, a curve
 * per process and method. Then the effective dataset size of the same scores under both processes
 * on a Gaussian ({@link ProcessesEffectiveSize}), written as processes-neff.
 */
public final class ProcessesExperiment implements Experiment {
    private static final List<Method> METHODS = List.of(Method.SDE, Method.SDE_SMOOTHED, Method.SDE_MC,
            Method.SDE_SPACETIME);

    @Override
    public String name() {
        return "processes";
    }

    @Override
    public String description() {
        return "Brownian against Ornstein-Uhlenbeck reverse SDEs, and space-time smoothing, on the held-out frontier";
    }

    @Override
    public Table run(Settings s) throws Exception {
        Table table = new Table("data", "N", "process", "method", "knob", "factor", "steps", "memorization ratio",
                "NN ratio", "MMD^2 to held-out", "MMD^2 floor", "seconds");
        for (HeldoutExperiment.Setting setting : HeldoutExperiment.settings(s.small())) {
            HeldoutFrontier frontier = new HeldoutFrontier(s.engine(), setting, s.seed());
            String name = frontier.name();
            double floor = frontier.floor();
            table.row(name, setting.train(), "-", "training points", "-", "-", "-", "-", "-", floor, floor, "-");
            LinePlot plot = frontier.plot();
            for (ForwardProcess process : ForwardProcess.values()) {
                for (Method m : METHODS) {
                    double[] factors = HeldoutExperiment.sweep(m, s.small());
                    double[] mmd = new double[factors.length];
                    double[] memorized = new double[factors.length];
                    int steps = HeldoutExperiment.steps(setting, m);
                    for (int i = 0; i < factors.length; i++) {
                        long start = System.nanoTime();
                        FloatMatrix x = m.sample(s.engine(), frontier.train(), setting.samples(), Method.Options
                                .defaults(s.seed()).withFactor(factors[i]).withSteps(steps).withProcess(process));
                        double seconds = (System.nanoTime() - start) / 1e9;
                        HeldoutFrontier.Scores scores = frontier.score(x);
                        memorized[i] = scores.memorization();
                        mmd[i] = scores.mmd2();
                        table.row(name, setting.train(), process.cliName(), m.cliName(), m.knob().label(), factors[i],
                                steps, memorized[i], scores.nnRatio(), mmd[i], floor, seconds);
                    }
                    plot.series(process.cliName() + " " + m.cliName(), mmd, memorized);
                }
            }
            frontier.addFloor(plot);
            plot.writePng(s.out().resolve("processes-frontier-" + name + ".png"), 900, 700);
        }
        table.write(s.out(), "processes");
        ProcessesEffectiveSize.run(s).write(s.out(), "processes-neff");
        return table;
    }
}
