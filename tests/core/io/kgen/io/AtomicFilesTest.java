package io.kgen.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write is complete or not there: a failure half way (a full disk, say) keeps the file that was
 * at the path and leaves no partial file; messages name the path.
 */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedWriteKeepsTheOldFileAndLeavesNothingBehind() throws IOException {
        Path target = dir.resolve("samples.npy");
        FloatMatrix old = FloatMatrix.of(new float[][] {{1, 2}, {3, 4}});
        Npy.write(target, old);
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.replace(target, file -> {
            Files.write(file, new byte[] {(byte) 0x93, 'N', 'U'});
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot write " + target + ": No space left on device", e.getMessage());
        assertArrayEquals(old.toArray(), Npy.read(target).toArray());
        assertEquals(List.of("samples.npy"), names());
    }

    @Test
    void writersReplaceWholeFiles() throws IOException {
        FloatMatrix big = FloatMatrix.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        FloatMatrix small = FloatMatrix.of(new float[][] {{7}});
        for (String name : List.of("m.npy", "m.csv")) {
            Path p = dir.resolve(name);
            MatrixFiles.write(p, big);
            MatrixFiles.write(p, small);
            assertArrayEquals(small.toArray(), MatrixFiles.read(p).toArray(), name);
        }
        assertEquals(List.of("m.csv", "m.npy"), names());
    }

    @Test
    void aMissingFolderIsNamed() {
        Path target = dir.resolve("missing").resolve("x.npy");
        IOException e = assertThrows(IOException.class, () -> Npy.write(target, FloatMatrix.of(new float[][] {{1}})));
        assertEquals("cannot write " + target + ": the folder " + dir.resolve("missing") + " does not exist",
                e.getMessage());
        assertTrue(Files.notExists(dir.resolve("missing")));
    }
}
