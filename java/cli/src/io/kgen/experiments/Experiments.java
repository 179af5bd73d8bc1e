package io.kgen.experiments;

import java.util.List;

/** The registry of experiments, in the order of the issue that asks for them. */
public final class Experiments {
    private Experiments() {}

    public static List<Experiment> all() {
        return List.of(new SwissRollExperiment(), new Gaussian4dExperiment(), new MnistExperiment(), new DkgmExperiment(),
                new DriftingExperiment(), new HeldoutExperiment(),
                new EffectiveSizeExperiment(), new ProcessesExperiment());
    }

    public static Experiment named(String name) {
        for (Experiment e : all()) if (e.name().equals(name)) return e;
        StringBuilder known = new StringBuilder();
        for (Experiment e : all()) known.append(known.length() == 0 ? "" : ", ").append(e.name());
        throw new IllegalArgumentException("unknown experiment '" + name + "' (" + known + ")");
    }
}
