package io.kgen.io;

import io.kgen.FloatMatrix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads and writes a {@link FloatMatrix} as {@code .npy} ({@link Npy}, float32) or {@code .csv}
 * ({@link Csv}, no header), chosen by the file's extension in any case. Any other extension
 * throws {@link IllegalArgumentException} naming it; problems with the file itself throw
 * {@link IOException}.
 */
public final class MatrixFiles {
    private MatrixFiles() {}

    public static FloatMatrix read(Path path) throws IOException {
        return switch (extension(path)) {
            case ".npy" -> Npy.read(path);
            default -> Csv.read(path);
        };
    }

    public static void write(Path path, FloatMatrix m) throws IOException {
        write(path, m, false);
    }

    /** As {@link #write(Path, FloatMatrix)}; {@code float64} stores a .npy as float64 (CSV text is the same). */
    public static void write(Path path, FloatMatrix m, boolean float64) throws IOException {
        switch (extension(path)) {
            case ".npy" -> Npy.write(path, m, float64 ? Npy.Dtype.FLOAT64 : Npy.Dtype.FLOAT32);
            default -> Csv.write(path, m);
        }
    }

    /** ".npy" or ".csv", lower case, or an exception naming the extension found. */
    private static String extension(Path path) {
        if (path == null) throw new IllegalArgumentException("path is null");
        String name = String.valueOf(path.getFileName());
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot).toLowerCase(Locale.ROOT);
        if (ext.equals(".npy") || ext.equals(".csv")) return ext;
        throw new IllegalArgumentException(name + ": " + (ext.isEmpty() ? "has no extension"
                : "extension '" + ext + "' is not supported") + " (expected .npy or .csv)");
    }
}
