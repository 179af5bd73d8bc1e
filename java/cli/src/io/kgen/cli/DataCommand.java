package io.kgen.cli;

import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import io.kgen.io.MatrixFiles;
import io.kgen.io.FilePaths;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes a built-in data set to a file, to look at it or to use it elsewhere. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Write a built-in data set (swiss-roll, swiss-roll-3d, two-moons, gaussian-mixture, "
                + "gaussian-4d, mnist) to a .npy or .csv file.")
final class DataCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the data set")
    String name;

    @Option(names = {"-n", "--points"}, description = "points to draw (MNIST: n digits in a seeded shuffle; default: 2000, "
            + "all 8,000 training digits for mnist, all 2,000 held-out ones with --held-out)")
    Integer points;

    @Option(names = "--held-out", description = "the held-out part, which samplers never see: fresh draws of the same "
            + "law, or MNIST's 2,000 held-out digits")
    boolean heldOut;

    @Option(names = "--seed", description = "seed of the draw (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = {"-o", "--out"}, required = true, description = "output file, .npy or .csv")
    Path out;

    @Override
    public Integer call() throws Exception {
        FilePaths.requireWritable(out, "output");
        Dataset set = Dataset.fromCliName(name);
        int n = points != null ? points : set == Dataset.MNIST ? set.capacity(heldOut) : 2_000;
        if (n < 1) throw new IllegalArgumentException("--points must be >= 1, got " + n);
        FloatMatrix data = heldOut ? set.heldOut(n, seed) : set.sample(n, seed);
        MatrixFiles.write(out, data);
        System.err.println("kgen: wrote " + out + " (" + data.rows() + " x " + data.cols() + ", " + name
                + (heldOut ? ", held out" : "") + ")");
        return 0;
    }
}
