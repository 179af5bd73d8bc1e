package io.kgen.bench;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import io.kgen.data.Mnist;
import io.kgen.metrics.Metrics;
import io.kgen.plot.ImageGrid;
import io.kgen.sampling.Drifting;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * End-to-end sampler timings: reverse SDE on MNIST with each score (1,000 samples against the
 * 10,000 bundled digits, 500 steps by default), and Laplace drifting on 2-d data and on MNIST.
 * Prints a Markdown table (seconds, ms per step, memorization ratio) and writes a sample grid per
 * MNIST run. Every run is timed once after a short warm-up run of the same sampler.
 *
 * <pre>
 * java ... io.kgen.bench.SamplerBench --out bench-out              # on a GPU host
 * java ... io.kgen.bench.SamplerBench --backend CPU --scale 0.05   # a small CPU run
 * </pre>
 */
@Command(name = "sampler-bench", mixinStandardHelpOptions = true)
public final class SamplerBench implements Callable<Integer> {
    @Option(names = "--backend", description = "AUTO, CPU or CUDA (default: ${DEFAULT-VALUE})")
    Backend backend = Backend.AUTO;

    @Option(names = "--scale", description = "multiplies sample, point and step counts (default: ${DEFAULT-VALUE})")
    double scale = 1.0;

    @Option(names = "--out", description = "folder for the sample grids and the table (default: ${DEFAULT-VALUE})")
    Path out = Path.of("bench-out");

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        List<String> rows = new ArrayList<>();
        rows.add("| run | samples | data | steps | seconds | ms per step | memorization ratio |");
        rows.add("|---|---|---|---|---|---|---|");
        try (Engine engine = Engine.open(backend)) {
            System.out.println("device: " + engine.describe());
            int mnistPoints = scaled(10_000);
            int samples = scaled(1000);
            int steps = scaled(500);
            FloatMatrix mnist = Mnist.load().images(0, mnistPoints);
            ScoreEstimator[] scores = {new ScoreEstimator.Empirical(), new ScoreEstimator.TimeShift(1.0),
                new ScoreEstimator.MonteCarlo(1.0, 1)};
            String[] names = {"empirical", "time-shift 1.0", "monte-carlo 1.0"};
            for (int s = 0; s < scores.length; s++) {
                ScoreEstimator score = scores[s];
                Supplier<FloatMatrix> run = () -> ReverseSde.builder().score(score).steps(steps).seed(3).build()
                        .sample(engine, mnist, samples);
                FloatMatrix x = timed(rows, "reverse SDE, MNIST, " + names[s], samples, mnistPoints, steps, run,
                        () -> ReverseSde.builder().score(score).steps(2).seed(3).build().sample(engine, mnist, 8),
                        x1 -> Metrics.memorizationRatio(engine, x1, mnist));
                ImageGrid.writePng(out.resolve("mnist-sde-" + names[s].replace(' ', '-') + ".png"), x.copyRows(0, Math.min(100, x.rows())), 28, 28, 10, 2);
            }
            int particles = scaled(10_000);
            int points = scaled(10_000);
            int driftSteps = scaled(100);
            FloatMatrix roll = Dataset.SWISS_ROLL.sample(points, 2);
            Drifting laplace2d = Drifting.builder().bandwidth(0.05).steps(driftSteps).build();
            timed(rows, "Laplace drifting, 2-d Swiss roll", particles, points, driftSteps,
                    () -> laplace2d.run(engine, roll, particles, 5),
                    () -> Drifting.builder().bandwidth(0.05).steps(2).build().run(engine, roll, 16, 5), x1 -> Double.NaN);
            int mnistParticles = scaled(1000);
            Drifting laplaceMnist = Drifting.builder().bandwidth(2.0).steps(driftSteps).build();
            FloatMatrix drifted = timed(rows, "Laplace drifting, MNIST", mnistParticles, mnistPoints, driftSteps,
                    () -> laplaceMnist.run(engine, mnist, mnistParticles, 5),
                    () -> Drifting.builder().bandwidth(2.0).steps(2).build().run(engine, mnist, 16, 5),
                    x1 -> Metrics.memorizationRatio(engine, x1, mnist));
            ImageGrid.writePng(out.resolve("mnist-drift-laplace.png"), drifted.copyRows(0, Math.min(100, drifted.rows())), 28, 28, 10, 2);
        }
        String table = String.join("\n", rows) + "\n";
        System.out.println();
        System.out.print(table);
        Files.writeString(out.resolve("sampler-bench.md"), table);
        return 0;
    }

    private int scaled(int n) {
        return Math.max(2, (int) Math.round(n * scale));
    }

    private static FloatMatrix timed(List<String> rows, String name, int samples, int data, int steps,
            Supplier<FloatMatrix> run, Supplier<FloatMatrix> warmUp, java.util.function.ToDoubleFunction<FloatMatrix> ratio) {
        warmUp.get();
        long start = System.nanoTime();
        FloatMatrix x = run.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        double r = ratio.applyAsDouble(x); // after the clock: the metric is not part of the run
        String row = String.format(Locale.ROOT, "| %s | %d | %d | %d | %.3f | %.3f | %s |", name, samples, data, steps,
                seconds, 1e3 * seconds / steps, Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r));
        System.out.println(row);
        rows.add(row);
        return x;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SamplerBench()).execute(args));
    }
}
