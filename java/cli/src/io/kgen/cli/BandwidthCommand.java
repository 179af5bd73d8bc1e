package io.kgen.cli;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.data.SwissRoll;
import io.kgen.sampling.BandwidthRule;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Gaussian KDE bandwidth by leave-one-out likelihood (MATH.md section 4) on the user's data or the
 * built-in Swiss roll: every candidate h is one leave-one-out kernel sum over all N^2 pairs.
 */
@Command(name = "bandwidth", mixinStandardHelpOptions = true,
        description = "Choose a Gaussian KDE bandwidth by leave-one-out likelihood, on a .npy/.csv file or the "
                + "built-in 2-d Swiss roll.")
final class BandwidthCommand implements Callable<Integer> {
    @Option(names = "--data", description = "a .npy or .csv file (default: the built-in Swiss roll)")
    Path data;

    @Option(names = {"-n", "--points"}, description = "data points (default: ${DEFAULT-VALUE})")
    int points = 5_000;

    @Option(names = "--noise", description = "Swiss-roll noise (default: ${DEFAULT-VALUE})")
    double noise = 0.05;

    @Option(names = "--seed", description = "data seed (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = "--grid", description = "candidate bandwidths, geometric from 0.005 to 1 for the Swiss roll, "
            + "from Silverman's h / 20 to 4 h for a file (default: ${DEFAULT-VALUE})")
    int grid = 16;

    @Mixin
    EngineOptions engineOptions;

    @Override
    public Integer call() throws Exception {
        if (grid < 1) throw new IllegalArgumentException("--grid must be >= 1, got " + grid);
        FloatMatrix y;
        double low, high;
        String what;
        if (data != null) {
            y = SampleData.require(PrimitiveOptions.read(data, "data"), data.toString());
            double silverman = BandwidthRule.silverman(y);
            low = silverman / 20;
            high = silverman * 4;
            what = data + " (" + y.rows() + " x " + y.cols() + ")";
        } else {
            if (points < 2) throw new IllegalArgumentException("--points must be >= 2, got " + points);
            y = SwissRoll.sample(points, noise, seed);
            low = 0.005;
            high = 1;
            what = "a 2-d Swiss roll, N = " + points;
        }
        final FloatMatrix dataPoints = y;
        final int n = (int) y.rows();
        try (Engine engine = engineOptions.open()) {
            System.out.println("kgen: leave-one-out Gaussian KDE bandwidth on " + what);
            System.out.println("engine: " + engine.describe());
            System.out.printf("%10s  %22s  %10s  %12s%n", "h", "mean log-likelihood", "ms", "pairs/s");
            double bestH = Double.NaN;
            double best = Double.NEGATIVE_INFINITY;
            try (var onContext = engine.upload(dataPoints)) {
                for (int g = 0; g < grid; g++) {
                    float h = (float) (low * Math.pow(high / low, grid == 1 ? 0 : g / (double) (grid - 1)));
                    KernelSum spec = KernelSum.gaussian(h).withLeaveOneOut(true);
                    long start = System.nanoTime();
                    float[] logDensity = engine.logDensity(spec, onContext, onContext).toArray();
                    double ms = (System.nanoTime() - start) / 1e6;
                    double mean = 0;
                    for (float v : logDensity) mean += v;
                    mean /= n;
                    double pairs = (double) n * (n - 1);
                    System.out.printf("%10.5f  %22.6f  %10.2f  %12.3e%n", h, mean, ms, pairs / (ms / 1e3));
                    if (mean > best) {
                        best = mean;
                        bestH = h;
                    }
                }
            }
            System.out.printf("best h = %.5f (mean leave-one-out log-likelihood %.6f)%n", bestH, best);
        }
        return 0;
    }
}
