package io.kgen.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of input and output paths made before any work starts, so that a command does not
 * compute for minutes and then find it cannot read or write: each failure is an
 * {@link IllegalArgumentException} naming the path and what is wrong with it.
 */
public final class FilePaths {
    private FilePaths() {}

    /** An existing, readable regular file; {@code what} says which input it is ("data", ...). */
    public static void requireReadable(Path file, String what) {
        if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a folder, not a file (" + what + ")");
        if (!Files.exists(file)) throw new IllegalArgumentException(file + ": no such file (" + what + ")");
        if (!Files.isReadable(file)) throw new IllegalArgumentException(file + ": cannot be read: permission denied (" + what + ")");
    }

    /** A path a file can be written to: its folder exists and is writable, and it is not a folder. */
    public static void requireWritable(Path file, String what) {
        Path folder = file.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new IllegalArgumentException(file + ": the folder " + folder + " does not exist (" + what + ")");
        }
        if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a folder, not a file (" + what + ")");
        if (!Files.isWritable(folder)) {
            throw new IllegalArgumentException(file + ": the folder " + folder + " is not writable (" + what + ")");
        }
    }

    /** Two paths that must not name the same file (an output over an input, say). */
    public static void requireDistinct(Path output, String outputWhat, Path input, String inputWhat) {
        if (output.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(output + ": the " + outputWhat + " would overwrite the " + inputWhat);
        }
    }
}
