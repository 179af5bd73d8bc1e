package io.kgen.cli;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import io.kgen.io.MatrixFiles;
import io.kgen.io.FilePaths;
import io.kgen.plot.ImageGrid;
import io.kgen.plot.Pictures;
import io.kgen.plot.ScatterPlot;
import io.kgen.sampling.ForwardProcess;
import io.kgen.sampling.Method;
import io.kgen.sampling.Progress;
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
            "sde-mc (Monte Carlo smoothed score), sde-spacetime (Monte Carlo smoothed in space and time), kde,",
            "dkgm (KDE + debiasing), drift-laplace, drift-gradient, drift-batch (Deng et al.'s batch field as their",
            "official code computes it). The sde methods reverse Brownian motion or, with --process ou, the",
            "Ornstein-Uhlenbeck process."})
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

    @Option(names = "--steps", description = "integration or iteration steps (default: 500 for sde, sde-smoothed and "
            + "sde-mc; 100 for dkgm and drifting; kde takes none)")
    Integer steps;

    @Option(names = "--sigma", description = "smoothing of the score, sde-smoothed, sde-mc and sde-spacetime only "
            + "(default: a quarter of Silverman's bandwidth)")
    Double sigma;

    @Option(names = "--final-noise", description = "sde only: stop where the noise left is this fraction of the data's "
            + "nearest-neighbour spacing (default: 0.02)")
    Double finalNoise;

    @Option(names = "--smoothing", description = "the method's smoothing knob as a factor of its unit: sigma or h in "
            + "Silverman's bandwidths, the drifting bandwidth in tenths of the spread, drift-batch's temperatures as "
            + "multiples of (0.02, 0.05, 0.2), sde's final noise in nearest-neighbour spacings")
    Double smoothing;

    @Option(names = "--draws", description = "Monte Carlo draws per step, sde-mc and sde-spacetime only (default: 1)")
    Integer draws;

    @Option(names = "--window", description = "sde-spacetime only: each draw's time has its noise-to-signal ratio "
            + "log-uniform within this factor of the step's (default: 2)")
    Double window;

    @Option(names = "--process", description = "the forward process the sde methods reverse: brownian (variance "
            + "exploding) or ou (Ornstein-Uhlenbeck, variance preserving) (default: ${DEFAULT-VALUE})")
    String process = "brownian";

    @Option(names = "--bandwidth", description = "KDE h (kde, dkgm) or drifting bandwidth (default: Silverman's rule; "
            + "drifting: a tenth of the data's spread); the sde methods take --sigma instead")
    Double bandwidth;

    @Option(names = "--ode", description = "probability-flow ODE instead of the SDE (sde methods only)")
    boolean ode;

    @Option(names = "--seed", description = "seed of the data and of every draw (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = {"-o", "--out"}, description = "samples file, .npy or .csv (default: ${DEFAULT-VALUE})")
    Path out = Path.of("kgen-samples.npy");

    @Option(names = "--plot", description = "picture, .png or .jpg: a scatter plot (2-d, 3-d) or an image grid "
            + "(MNIST); none for 1-d data (default: ${DEFAULT-VALUE})")
    Path plot = Path.of("kgen-samples.png");

    @Option(names = "--no-plot", description = "write no picture")
    boolean noPlot;

    @Option(names = "--float64", description = "write a .npy of samples as float64 (default: float32)")
    boolean float64;

    @Option(names = "--axes", split = ",", description = "the two coordinates a scatter plot shows (default: 0,2 for "
            + "swiss-roll-3d, where the roll lies; 0,1 otherwise)")
    int[] axes;

    @Mixin
    EngineOptions engineOptions;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Method chosen = Method.fromCliName(method);
        if (samples < 1) throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
        if (noPlot) plot = null;
        rejectIgnoredOptions();
        checkPaths();
        if (!dataIsFile()) WorkingMemory.require("-n " + points, (long) points * Dataset.fromCliName(data).dimension());
        FloatMatrix y = SampleData.require(loadData(), data);
        WorkingMemory.require("-s " + samples + " with " + y.cols() + "-d data",
                WorkingMemory.SAMPLE_COPIES * (long) samples * y.cols() + y.rows() * (long) y.cols());
        try (Engine engine = engineOptions.open()) {
            // Printed even with --quiet: a long run says up front how much work it is.
            System.err.printf(Locale.ROOT, "kgen: %s on %s (%d x %d), %d samples x %d steps: about %.2g pair "
                    + "evaluations; %s%n", method, data, y.rows(), y.cols(), samples, stepCount(),
                    (double) samples * y.rows() * stepCount(), engine.describe());
            long start = System.nanoTime();
            FloatMatrix x;
            // A bar that redraws itself on a terminal; in a log, a line every few seconds.
            boolean terminal = System.console() != null;
            try (ProgressBar bar = quiet || !terminal ? null : new ProgressBarBuilder().setTaskName(method)
                    .setStyle(ProgressBarStyle.ASCII).setInitialMax(stepCount()).continuousUpdate().build()) {
                Progress progress = quiet ? Progress.NONE : bar == null ? new LogProgress(method, System.err)
                        : new Progress() {
                            @Override
                            public void step(int done, int total) {
                                bar.maxHint(total);
                                bar.stepTo(done);
                            }
                        };
                x = chosen.sample(engine, y, samples, options(chosen, y, progress));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.err.printf(Locale.ROOT, "kgen: %d samples in %.2f s%n", x.rows(), seconds);
            MatrixFiles.write(out, x, float64);
            System.err.println("kgen: wrote " + out);
            if (plot != null && x.cols() < 2) {
                System.err.println("kgen: no picture of 1-d samples (--no-plot silences this line)");
            } else if (plot != null) {
                writePicture(y, x);
                System.err.println("kgen: wrote " + plot);
            }
        }
        return 0;
    }

    /** An option the method would not use is an error, not a silent no-op. */
    private void rejectIgnoredOptions() {
        Method m = Method.fromCliName(method);
        Method.Knob knob = m.knob();
        reject(bandwidth != null && knob != Method.Knob.KDE_BANDWIDTH && knob != Method.Knob.DRIFT_BANDWIDTH,
                "--bandwidth", "it is the kde, dkgm, drift-laplace and drift-gradient knob");
        reject(sigma != null && knob != Method.Knob.SIGMA, "--sigma",
                "only sde-smoothed, sde-mc and sde-spacetime smooth the score");
        reject(finalNoise != null && m != Method.SDE, "--final-noise", "only sde stops by it");
        if (smoothing != null && (sigma != null || bandwidth != null || finalNoise != null)) {
            String other = sigma != null ? "--sigma" : bandwidth != null ? "--bandwidth" : "--final-noise";
            throw new IllegalArgumentException("--smoothing and " + other + " set the same knob: give one");
        }
        reject(draws != null && m != Method.SDE_MC && m != Method.SDE_SPACETIME, "--draws",
                "only sde-mc and sde-spacetime draw");
        reject(window != null && m != Method.SDE_SPACETIME, "--window", "only sde-spacetime smooths over time");
        reject(ode && !m.isReverseSde(), "--ode", "only the sde methods integrate an SDE");
        reject(ForwardProcess.fromCliName(process) != ForwardProcess.BROWNIAN && !m.isReverseSde(), "--process",
                "only the sde methods reverse a forward process");
        if (window != null && !(window >= 1 && window < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("--window must be >= 1 and finite, got " + window);
        }
        reject(steps != null && m == Method.KDE, "--steps", "kde draws in one step");
        if (steps != null && steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        if (draws != null && draws < 1) throw new IllegalArgumentException("--draws must be >= 1, got " + draws);
        positive(smoothing, "--smoothing");
        positive(sigma, "--sigma");
        positive(bandwidth, "--bandwidth");
        positive(finalNoise, "--final-noise");
    }

    private static void positive(Double value, String option) {
        if (value != null && !(value > 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(option + " must be positive and finite, got " + value);
        }
    }

    /** The run's settings: an absolute --sigma or --bandwidth becomes a factor of the knob's unit. */
    private Method.Options options(Method m, FloatMatrix y, Progress progress) {
        Double absolute = sigma != null ? sigma : bandwidth;
        double factor = smoothing != null ? smoothing : finalNoise != null ? finalNoise
                : absolute != null ? absolute / m.knob().unit(y) : Double.NaN;
        return new Method.Options(factor, steps != null ? steps : 0, draws != null ? draws : 1, ode,
                ForwardProcess.fromCliName(process), window != null ? window : Double.NaN, seed, progress);
    }

    private void reject(boolean ignored, String option, String why) {
        if (ignored) throw new IllegalArgumentException(option + " does nothing with -m " + method + ": " + why);
    }

    private boolean dataIsFile() {
        return data.endsWith(".npy") || data.endsWith(".csv");
    }

    /** Every path checked before the data is read or a step is taken. */
    private void checkPaths() {
        FilePaths.requireWritable(out, "samples");
        if (plot != null) {
            Pictures.requireSupported(plot);
            FilePaths.requireWritable(plot, "picture");
            FilePaths.requireDistinct(plot, "picture", out, "samples");
        }
        if (dataIsFile()) {
            Path file = Path.of(data);
            FilePaths.requireReadable(file, "data");
            FilePaths.requireDistinct(out, "samples", file, "data");
            if (plot != null) FilePaths.requireDistinct(plot, "picture", file, "data");
        }
    }

    private FloatMatrix loadData() throws Exception {
        if (dataIsFile()) return MatrixFiles.read(Path.of(data));
        return Dataset.fromCliName(data).sample(points, seed);
    }

    private int stepCount() {
        return steps != null ? steps : Method.fromCliName(method).defaultSteps();
    }

    private void writePicture(FloatMatrix y, FloatMatrix x) throws Exception {
        int d = x.cols();
        int side = (int) Math.round(Math.sqrt(d));
        if (d >= 64 && side * side == d) {
            ImageGrid.writePng(plot, x.copyRows(0, Math.min(100, x.rows())), side, side, 10, 2);
        } else {
            int[] shown = axes != null ? axes : data.equals("swiss-roll-3d") ? new int[] {0, 2} : new int[] {0, 1};
            if (shown.length != 2) throw new IllegalArgumentException("--axes takes two coordinates, got " + shown.length);
            new ScatterPlot("kgen " + method + ": " + x.rows() + " samples").axes(shown[0], shown[1]).layer("data", y)
                    .layer("samples", x).writePng(plot, 800, 700);
        }
    }
}
