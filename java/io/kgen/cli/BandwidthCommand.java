package io.kgen.cli;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.data.SwissRoll;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Gaussian KDE bandwidth by leave-one-out likelihood (MATH.md section 4) on the built-in Swiss
 * roll: every candidate h is one leave-one-out kernel sum over all N^2 pairs.
 */
@Command(name = "bandwidth", mixinStandardHelpOptions = true,
        description = "Choose a Gaussian KDE bandwidth by leave-one-out likelihood on the built-in 2-d Swiss roll.")
final class BandwidthCommand implements Callable<Integer> {
    @Option(names = {"-n", "--points"}, description = "data points (default: ${DEFAULT-VALUE})")
    int points = 5_000;

    @Option(names = "--noise", description = "Swiss-roll noise (default: ${DEFAULT-VALUE})")
    double noise = 0.05;

    @Option(names = "--seed", description = "data seed (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = "--grid", description = "candidate bandwidths, geometric from 0.005 to 1 (default: ${DEFAULT-VALUE})")
    int grid = 16;

    @Mixin
    EngineOptions engineOptions;

    @Override
    public Integer call() {
        if (points < 2) throw new IllegalArgumentException("--points must be >= 2, got " + points);
        if (grid < 1) throw new IllegalArgumentException("--grid must be >= 1, got " + grid);
        FloatMatrix data = SwissRoll.sample(points, noise, seed);
        try (Engine engine = engineOptions.open()) {
            System.out.println("kgen: leave-one-out Gaussian KDE bandwidth on a 2-d Swiss roll, N = " + points);
            System.out.println("engine: " + engine.describe());
            System.out.printf("%10s  %22s  %10s  %12s%n", "h", "mean log-likelihood", "ms", "pairs/s");
            double bestH = Double.NaN;
            double best = Double.NEGATIVE_INFINITY;
            try (var onContext = engine.upload(data)) {
                for (int g = 0; g < grid; g++) {
                    float h = (float) (0.005 * Math.pow(1 / 0.005, grid == 1 ? 0 : g / (double) (grid - 1)));
                    KernelSum spec = KernelSum.gaussian(h).withLeaveOneOut(true);
                    long start = System.nanoTime();
                    float[] logDensity = engine.logDensity(spec, onContext, onContext).toArray();
                    double ms = (System.nanoTime() - start) / 1e6;
                    double mean = 0;
                    for (float v : logDensity) mean += v;
                    mean /= points;
                    double pairs = (double) points * (points - 1);
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
