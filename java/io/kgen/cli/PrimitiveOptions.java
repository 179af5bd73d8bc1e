package io.kgen.cli;

import io.kgen.FloatMatrix;
import io.kgen.io.MatrixFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the primitive commands (score, kde, drift): files in, a file out. */
final class PrimitiveOptions {
    @Option(names = "--help", usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-q", "--queries"}, required = true, description = "query points, .npy or .csv (m x d)")
    Path queries;

    @Option(names = "--data", required = true, description = "data points, .npy or .csv (n x d)")
    Path data;

    @Option(names = {"-h", "--bandwidth"}, required = true, description = "kernel bandwidth (h, or tau for Laplace)")
    double bandwidth;

    @Option(names = {"-o", "--out"}, required = true, description = "output file, .npy or .csv")
    Path out;

    @Mixin
    EngineOptions engine = new EngineOptions();

    static FloatMatrix read(Path file, String what) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file (" + what + ")");
        return MatrixFiles.read(file);
    }

    FloatMatrix readQueries() throws IOException {
        return read(queries, "queries");
    }

    FloatMatrix readData() throws IOException {
        return read(data, "data");
    }

    void write(FloatMatrix result) throws IOException {
        MatrixFiles.write(out, result);
        System.err.println("kgen: wrote " + out + " (" + result.rows() + " x " + result.cols() + ")");
    }
}
