package io.kgen.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files that are either complete or not there: a writer fills a temporary file beside the target,
 * which replaces the target only once the writer has finished and the bytes are on disk. A write
 * that fails (a full disk, an exception half way) leaves whatever was at the target untouched and
 * no temporary file behind, and its message names the target.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Fills the file it is given; it need not close anything it did not open. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path file) throws IOException;
    }

    public static void replace(Path target, Content content) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        Path partial;
        try {
            partial = Files.createTempFile(folder, "." + target.getFileName() + ".", ".partial");
        } catch (IOException e) {
            throw cannotWrite(target, e);
        }
        boolean moved = false;
        try {
            content.writeTo(partial);
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } catch (IOException e) {
            throw cannotWrite(target, e);
        } finally {
            if (!moved) Files.deleteIfExists(partial);
        }
    }

    /** "cannot write PATH: why", where why never repeats a bare path as the whole reason. */
    static IOException cannotWrite(Path target, IOException e) {
        String why;
        Path folder = target.toAbsolutePath().getParent();
        if (e instanceof NoSuchFileException && folder != null && !Files.isDirectory(folder)) {
            why = "the folder " + folder + " does not exist";
        } else if (e instanceof AccessDeniedException) {
            why = "permission denied";
        } else if (e instanceof FileSystemException fs && fs.getReason() != null) {
            why = fs.getReason();
        } else {
            why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
        return new IOException("cannot write " + target + ": " + why, e);
    }
}
