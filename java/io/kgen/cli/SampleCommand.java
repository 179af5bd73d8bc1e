package io.kgen.cli;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import io.kgen.io.MatrixFiles;
import io.kgen.plot.ImageGrid;
import io.kgen.plot.ScatterPlot;
import io.kgen.sampling.BandwidthRule;
import io.kgen.sampling.Dkgm;
import io.kgen.sampling.Drifting;
import io.kgen.sampling.KdeSampler;
import io.kgen.sampling.Progress;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Samples with any of kgen's methods from a built-in data set or a .npy/.csv file. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw new samples from data with a kernel method; write them (.npy or .csv) and a picture.",
            "Methods: sde (empirical score: memorizes), sde-smoothed (time-shift smoothed score, the default),",
            "sde-mc (Monte Carlo smoothed score), kde, dkgm (KDE + debiasing), drift-laplace, drift-gradient,",
            "drift-batch (batch-normalised multi-temperature Laplace drift)."})
final class SampleCommand implements Callable<Integer> {
    @Option(names = "--data", description = "a built-in data set (swiss-roll, swiss-roll-3d, two-moons, "
            + "gaussian-mixture, gaussian-4d, mnist) or a .npy/.csv file (default: ${DEFAULT-VALUE})")
    String data = "swiss-roll";

    @Option(names = {"-n", "--points"}, description = "points of a built-in data set (default: ${DEFAULT-VALUE})")
    int points = 2000;

    @Option(names = {"-m", "--method"}, description = "see above (default: ${DEFAULT-VALUE})")
    String method = "sde-smoothed";

    @Option(names = {"-s", "--samples"}, description = "samples to draw (default: ${DEFAULT-VALUE})")
    int samples = 1000;

    @Option(names = "--steps", description = "integration or iteration steps (default: 500 for sde, 100 otherwise)")
    Integer steps;

    @Option(names = "--sigma", description = "smoothing of the score (default: a quarter of Silverman's bandwidth)")
    Double sigma;

    @Option(names = "--draws", description = "Monte Carlo draws per step for sde-mc (default: ${DEFAULT-VALUE})")
    int draws = 1;

    @Option(names = "--bandwidth", description = "KDE h or drifting bandwidth (default: Silverman's rule; "
            + "drifting: a tenth of the data's spread)")
    Double bandwidth;

    @Option(names = "--ode", description = "probability-flow ODE instead of the SDE")
    boolean ode;

    @Option(names = "--seed", description = "seed of the data and of every draw (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = {"-o", "--out"}, description = "samples file, .npy or .csv (default: ${DEFAULT-VALUE})")
    Path out = Path.of("kgen-samples.npy");

    @Option(names = "--plot", description = "picture: a scatter plot (2-d, 3-d) or an image grid (MNIST) "
            + "(default: ${DEFAULT-VALUE})")
    Path plot = Path.of("kgen-samples.png");

    @Mixin
    EngineOptions engineOptions;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    private static final java.util.List<String> METHODS =
            java.util.List.of("sde", "sde-smoothed", "sde-mc", "kde", "dkgm", "drift-laplace", "drift-gradient",
                    "drift-batch");

    @Override
    public Integer call() throws Exception {
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("unknown method '" + method + "' (" + String.join(", ", METHODS) + ")");
        }
        if (samples < 1) throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
        FloatMatrix y = loadData();
        try (Engine engine = engineOptions.open()) {
            System.err.println("kgen: " + method + " on " + data + " (" + y.rows() + " x " + y.cols() + "), " + engine.describe());
            long start = System.nanoTime();
            FloatMatrix x;
            try (ProgressBar bar = quiet ? null : new ProgressBarBuilder().setTaskName(method)
                    .setStyle(ProgressBarStyle.ASCII).setInitialMax(stepCount()).continuousUpdate().build()) {
                Progress progress = bar == null ? Progress.NONE : new Progress() {
                    @Override
                    public void step(int done, int total) {
                        bar.maxHint(total);
                        bar.stepTo(done);
                    }
                };
                x = run(engine, y, progress);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.err.printf(Locale.ROOT, "kgen: %d samples in %.2f s%n", x.rows(), seconds);
            MatrixFiles.write(out, x);
            System.err.println("kgen: wrote " + out);
            if (plot != null) {
                writePicture(y, x);
                System.err.println("kgen: wrote " + plot);
            }
        }
        return 0;
    }

    private FloatMatrix loadData() throws Exception {
        if (data.endsWith(".npy") || data.endsWith(".csv")) {
            Path file = Path.of(data);
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException(data + ": no such file");
            return MatrixFiles.read(file);
        }
        return Dataset.fromCliName(data).sample(points, seed);
    }

    private int stepCount() {
        if (steps != null) return steps;
        return method.startsWith("sde") ? 500 : method.equals("kde") ? 1 : 100;
    }

    private FloatMatrix run(Engine engine, FloatMatrix y, Progress progress) {
        double silverman = BandwidthRule.silverman(y);
        double smoothing = sigma != null ? sigma : silverman / 4;
        switch (method) {
            case "sde":
            case "sde-smoothed":
            case "sde-mc": {
                ScoreEstimator score = method.equals("sde") ? new ScoreEstimator.Empirical()
                        : method.equals("sde-mc") ? new ScoreEstimator.MonteCarlo(smoothing, draws)
                        : new ScoreEstimator.TimeShift(smoothing);
                return ReverseSde.builder().score(score).steps(stepCount()).ode(ode).seed(seed).progress(progress)
                        .build().sample(engine, y, samples);
            }
            case "kde":
                return new KdeSampler(bandwidth != null ? bandwidth : silverman, seed).sample(engine, y, samples);
            case "dkgm":
                return Dkgm.builder(bandwidth != null ? bandwidth : silverman).steps(stepCount()).seed(seed)
                        .progress(progress).build().sample(engine, y, samples);
            case "drift-laplace":
            case "drift-gradient":
            case "drift-batch": {
                double spread = BandwidthRule.spread(y);
                Drifting.Field field = method.equals("drift-laplace") ? Drifting.Field.LAPLACE
                        : method.equals("drift-gradient") ? Drifting.Field.GAUSSIAN_GRADIENT : Drifting.Field.LAPLACE_BATCH;
                return Drifting.builder().field(field).bandwidth(bandwidth != null ? bandwidth : spread / 10)
                        .steps(stepCount()).progress(progress).build().run(engine, y, samples, seed);
            }
            default:
                throw new AssertionError(method); // checked in call()
        }
    }

    private void writePicture(FloatMatrix y, FloatMatrix x) throws Exception {
        int d = x.cols();
        int side = (int) Math.round(Math.sqrt(d));
        if (d >= 64 && side * side == d) {
            ImageGrid.writePng(plot, x.copyRows(0, Math.min(100, x.rows())), side, side, 10, 2);
        } else if (d >= 2) {
            new ScatterPlot("kgen " + method + ": " + x.rows() + " samples").layer("data", y).layer("samples", x)
                    .writePng(plot, 800, 700);
        } else {
            throw new IllegalArgumentException("cannot draw " + d + "-d data: use --plot with 2-d, 3-d or square-image data");
        }
    }
}
