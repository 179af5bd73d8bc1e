package io.kgen.cli;

import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.io.MatrixFiles;
import io.kgen.io.FilePaths;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the primitive commands (score, kde, drift): files in, a file out. */
final class PrimitiveOptions {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-q", "--queries"}, required = true, description = "query points, .npy or .csv (m x d)")
    Path queries;

    @Option(names = "--data", required = true, description = "data points, .npy or .csv (n x d)")
    Path data;

    @Option(names = {"-b", "--bandwidth"}, required = true, description = "kernel bandwidth (h, or tau for Laplace)")
    double bandwidth;

    @Option(names = {"-o", "--out"}, required = true, description = "output file, .npy or .csv")
    Path out;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--float64", description = "write a .npy output as float64 (default: float32)")
    boolean float64;

    @Option(names = "--weights", description = "data weights, .npy or .csv, one per data row (n x 1 or 1 x n); "
            + "default: uniform")
    Path weights;

    static FloatMatrix read(Path file, String what) throws IOException {
        FilePaths.requireReadable(file, what);
        return MatrixFiles.read(file);
    }

    /** The paths, checked before any work: inputs readable, the output writable and neither input. */
    void checkPaths() {
        FilePaths.requireReadable(queries, "queries");
        FilePaths.requireReadable(data, "data");
        if (weights != null) FilePaths.requireReadable(weights, "weights");
        FilePaths.requireWritable(out, "output");
        FilePaths.requireDistinct(out, "output", queries, "queries");
        FilePaths.requireDistinct(out, "output", data, "data");
    }

    FloatMatrix readQueries() throws IOException {
        return read(queries, "queries");
    }

    FloatMatrix readData() throws IOException {
        return read(data, "data");
    }

    /** spec with the --weights file's values, if one was given (the engine checks their count and values). */
    KernelSum weighted(KernelSum spec) throws IOException {
        if (weights == null) return spec;
        FloatMatrix w = read(weights, "weights");
        if (w.rows() != 1 && w.cols() != 1) {
            throw new IllegalArgumentException(weights + ": weights must be one column or one row, got " + w.rows() + " x "
                    + w.cols());
        }
        return spec.withWeights(w.toArray());
    }

    void write(FloatMatrix result) throws IOException {
        MatrixFiles.write(out, result, float64);
        System.err.println("kgen: wrote " + out + " (" + result.rows() + " x " + result.cols() + ")");
    }
}
