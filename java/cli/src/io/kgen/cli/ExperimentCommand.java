package io.kgen.cli;

import io.kgen.Engine;
import io.kgen.experiments.Experiment;
import io.kgen.experiments.Experiments;
import io.kgen.experiments.Settings;
import io.kgen.experiments.Table;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Reproduce one of the papers' experiments: tables (CSV, Markdown) and PNG plots in a folder.",
            "Names: swiss-roll, gaussian-4d, mnist, dkgm, drifting, heldout, neff, or 'list'."})
final class ExperimentCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the experiment's name, or 'list'")
    String name;

    @Option(names = {"-o", "--out"}, description = "output folder (default: results/<name>)")
    Path out;

    @Option(names = "--small", description = "the small setting: minutes on 2 CPU cores instead of minutes on a GPU")
    boolean small;

    @Option(names = "--seed", description = "seed of data and draws (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Mixin
    EngineOptions engineOptions;

    @Override
    public Integer call() throws Exception {
        if (name.equals("list")) {
            for (Experiment e : Experiments.all()) System.out.printf("%-12s %s%n", e.name(), e.description());
            return 0;
        }
        Experiment experiment = Experiments.named(name);
        Path folder = out != null ? out : Path.of("results", experiment.name());
        java.nio.file.Files.createDirectories(folder);
        try (Engine engine = engineOptions.open()) {
            System.err.println("kgen: experiment " + experiment.name() + (small ? " (small)" : "") + " on " + engine.describe());
            long start = System.nanoTime();
            Table table = experiment.run(new Settings(engine, folder, seed, small));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.print(table.markdown());
            System.err.printf(Locale.ROOT, "kgen: %s done in %.1f s; tables and plots in %s%n", experiment.name(), seconds, folder);
        }
        return 0;
    }
}
