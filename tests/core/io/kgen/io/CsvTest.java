package io.kgen.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.testing.TestSeeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static void assertMatrix(FloatMatrix m, long rows, int cols, float... values) {
        assertEquals(rows, m.rows(), "rows");
        assertEquals(cols, m.cols(), "cols");
        assertArrayEquals(values, m.toArray());
    }

    private static void rejects(Path p, String message) {
        IOException e = assertThrows(IOException.class, () -> Csv.read(p));
        assertEquals(message, e.getMessage());
    }

    @Test
    void roundTripsOddShapesExactly() throws IOException {
        long seed = TestSeeds.seed("CSV round trip");
        Random rnd = new Random(seed);
        int[][] shapes = {{1, 1}, {7, 3}, {1000, 17}};
        for (int[] s : shapes) {
            float[] v = new float[s[0] * s[1]];
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextInt(20) == 0 ? Float.intBitsToFloat(rnd.nextInt()) // any bits: NaN, subnormal, huge
                        : (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(13) - 6));
            }
            FloatMatrix m = FloatMatrix.wrap(s[0], s[1], v);
            Path p = dir.resolve("m" + s[0] + ".csv");
            Csv.write(p, m);
            FloatMatrix back = Csv.read(p);
            assertEquals(m.rows(), back.rows());
            assertEquals(m.cols(), back.cols());
            float[] got = back.toArray();
            for (int i = 0; i < v.length; i++) {
                // Bit-exact except NaN payloads, which text cannot carry.
                assertEquals(Float.isNaN(v[i]) ? Float.NaN : v[i], got[i], 0f, "seed " + seed + ", element " + i);
            }
        }
    }

    @Test
    void writesAndSkipsAHeader() throws IOException {
        Path p = dir.resolve("named.csv");
        Csv.write(p, FloatMatrix.of(new float[][] {{1, 0.1f}, {-3, 1e-20f}}), List.of("x", "y, with comma"));
        assertEquals("x,\"y, with comma\"\n1.0,0.1\n-3.0,1.0E-20\n", Files.readString(p));
        assertMatrix(Csv.read(p), 2, 2, 1, 0.1f, -3, 1e-20f);
        assertThrows(IllegalArgumentException.class,
                () -> Csv.write(p, FloatMatrix.heap(1, 3), List.of("a", "b")));
    }

    @Test
    void readsLooseInput() throws IOException {
        Path p = file("loose.csv", "\uFEFFa , b,c\r\n\r\n 1, 2.5e3 ,-3\n\n\"4\",nan,-inf\n   \n7,Infinity,+0.5\n");
        FloatMatrix m = Csv.read(p);
        assertMatrix(m, 3, 3, 1, 2500, -3, 4, Float.NaN, Float.NEGATIVE_INFINITY, 7, Float.POSITIVE_INFINITY, 0.5f);
    }

    /** Rows wider than the initial buffer, and files long enough to grow it many times, read in full. */
    @Test
    void wideAndLongFilesAreReadInFull() throws IOException {
        StringBuilder wide = new StringBuilder();
        for (int c = 0; c < 3000; c++) wide.append(c == 0 ? "" : ",").append(c);
        FloatMatrix w = Csv.read(file("wide.csv", wide + "\n" + wide + "\n"));
        assertEquals(2, w.rows());
        assertEquals(3000, w.cols());
        assertEquals(2999f, w.get(1, 2999));
        int rows = 400_000;
        StringBuilder tall = new StringBuilder("x\n");
        for (int i = 0; i < rows; i++) tall.append(i).append('\n');
        FloatMatrix t = Csv.read(file("tall.csv", tall.toString()));
        float[] want = new float[rows];
        for (int i = 0; i < rows; i++) want[i] = i;
        assertEquals(rows, t.rows());
        assertArrayEquals(want, t.toArray());
    }

    /** A byte-order mark is dropped before deciding whether the first line is a header. */
    @Test
    void byteOrderMarkBeforeNumbersIsNotAHeader() throws IOException {
        assertMatrix(Csv.read(file("bom.csv", "\uFEFF1.5,2\n3,4\n")), 2, 2, 1.5f, 2, 3, 4);
        // Only at the start of the file: elsewhere it is a bad cell.
        rejects(file("bom2.csv", "1,2\n\uFEFF3,4\n"), "bom2.csv: line 2, column 1: '\uFEFF3' is not a number");
    }

    /** A file called ".csv" or ".npy" has that extension (a leading dot is not a hidden-file marker here). */
    @Test
    void extensionOnlyNamesWork() throws IOException {
        FloatMatrix m = FloatMatrix.of(new float[][] {{1, 2}});
        for (String name : List.of(".csv", ".npy")) {
            Path p = dir.resolve(name);
            MatrixFiles.write(p, m);
            assertArrayEquals(m.toArray(), MatrixFiles.read(p).toArray(), name);
        }
    }

    @Test
    void firstLineIsDataWhenItIsAllNumbers() throws IOException {
        assertMatrix(Csv.read(file("plain.csv", "1,2\n3,4")), 2, 2, 1, 2, 3, 4);
        assertMatrix(Csv.read(file("column.csv", "5\n6\n")), 2, 1, 5, 6);
        assertMatrix(Csv.read(file("header-only.csv", "a,b,c\n")), 0, 3);
    }

    /** A first row with a typo in one cell is data with a bad cell, not a header that silently drops a row. */
    @Test
    void aFirstRowWithATypoIsAnErrorNotAHeader() throws IOException {
        rejects(file("hex-first.csv", "0x10,2\n3,4\n"), "hex-first.csv: line 1, column 1: '0x10' is not a number");
        rejects(file("suffix-first.csv", "1f,2d\n3,4\n"), "suffix-first.csv: line 1, column 1: '1f' is not a number");
        rejects(file("dot-first.csv", ".,2\n3,4\n"), "dot-first.csv: line 1, column 1: '.' is not a number");
        assertMatrix(Csv.read(file("named.csv", "x,\"y\"\n3,4\n")), 1, 2, 3, 4);
        // A leading 0 starts like a number too: "0x,0y" is a data row with bad cells, not a header.
        rejects(file("zeros-first.csv", "0x,0y\n3,4\n"), "zeros-first.csv: line 1, column 1: '0x' is not a number");
    }

    /** A quoted empty cell is an empty cell. */
    @Test
    void aQuotedEmptyCellIsEmpty() throws IOException {
        rejects(file("quoted-empty.csv", "1,2\n3,\"\"\n"), "quoted-empty.csv: line 2, column 2: an empty cell is not a number");
    }

    /** A binary or UTF-16 file is named as such, not "Input length = 1". */
    @Test
    void nonUtf8FilesAreNamed() throws IOException {
        Path utf16 = dir.resolve("utf16.csv");
        Files.write(utf16, "1,2\n3,4\n".getBytes(java.nio.charset.StandardCharsets.UTF_16));
        rejects(utf16, "utf16.csv: not UTF-8 text (a binary file, or another encoding such as UTF-16); save it as UTF-8 CSV");
    }

    @Test
    void rejectsRaggedRows() throws IOException {
        rejects(file("ragged.csv", "a,b,c\n1,2,3\n\n4,5\n"), "ragged.csv: line 4 has 2 columns, expected 3 (as on line 1)");
        rejects(file("trailing.csv", "1,2\n3,4,\n"), "trailing.csv: line 2 has 3 columns, expected 2 (as on line 1)");
    }

    @Test
    void rejectsNonNumericCells() throws IOException {
        rejects(file("words.csv", "x,y\n1,2\n3,abc\n"), "words.csv: line 3, column 2: 'abc' is not a number");
        rejects(file("blank-cell.csv", "1,2\n,4\n"), "blank-cell.csv: line 2, column 1: an empty cell is not a number");
        // Java's parseFloat would take these; a CSV from elsewhere does not mean them as numbers.
        rejects(file("suffix.csv", "1,2\n3,4f\n"), "suffix.csv: line 2, column 2: '4f' is not a number");
        rejects(file("hex.csv", "1\n0x1p3\n"), "hex.csv: line 2, column 1: '0x1p3' is not a number");
    }

    @Test
    void rejectsEmptyFiles() throws IOException {
        rejects(file("empty.csv", ""), "empty.csv: no data (the file is empty or blank)");
        rejects(file("blank.csv", "\n  \n"), "blank.csv: no data (the file is empty or blank)");
    }

    @Test
    void matrixFilesChoosesByExtension() throws IOException {
        FloatMatrix m = FloatMatrix.of(new float[][] {{1.25f, -2}, {3, 4e10f}});
        for (String name : List.of("m.csv", "m.CSV", "m.npy")) {
            Path p = dir.resolve(name);
            MatrixFiles.write(p, m);
            assertArrayEquals(m.toArray(), MatrixFiles.read(p).toArray(), name);
        }
        assertTrue(Files.readString(dir.resolve("m.csv")).startsWith("1.25,-2.0\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatrixFiles.write(dir.resolve("m.tsv"), m));
        assertEquals("m.tsv: extension '.tsv' is not supported (expected .npy or .csv)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MatrixFiles.read(dir.resolve("README")));
        assertEquals("README: has no extension (expected .npy or .csv)", e.getMessage());
    }
}
