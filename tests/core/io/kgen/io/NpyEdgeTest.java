package io.kgen.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.testing.TestSeeds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * .npy files at the edges: header text that ends exactly after a literal, header lengths at the
 * limit, shapes at the column and size limits, messages that print the header's values as Python
 * does, and data larger than the write buffer.
 */
class NpyEdgeTest {
    @TempDir
    Path dir;

    /** A version-{@code major} file whose header is exactly {@code header} (no padding), then {@code data}. */
    private Path raw(String name, int major, byte[] header, byte[] data) throws IOException {
        int preamble = major == 1 ? 10 : 12;
        ByteBuffer b = ByteBuffer.allocate(preamble + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) header.length);
        else b.putInt(header.length);
        b.put(header).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private Path raw(String name, String header) throws IOException {
        return raw(name, 1, header.getBytes(StandardCharsets.ISO_8859_1), new byte[0]);
    }

    private static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + "}";
    }

    private static String message(Path p) {
        return assertThrows(IOException.class, () -> Npy.read(p)).getMessage();
    }

    /** Literals that end the header text exactly, where a parser could read past the end. */
    @Test
    void headersEndingRightAfterALiteralAreMalformedNotCrashes() throws IOException {
        assertEquals("int.npy: malformed header: not a dict: 7", message(raw("int.npy", "7")));
        assertEquals("name.npy: malformed header: not a dict: True", message(raw("name.npy", "True")));
        assertEquals("key.npy: malformed header: expected ':' at offset 4 in {'a'", message(raw("key.npy", "{'a'")));
        // The offset is the end of the text: the parser ran out there, and says so.
        for (String text : new String[] {"{'a':", "{'descr': '<f4'", "{'descr': '<f4', 'fortran_order': False, 'shape': (2"}) {
            String what = text.endsWith(":") ? "unexpected end" : text.endsWith("(2") ? "missing ')'" : "missing '}'";
            assertEquals("cut.npy: malformed header: " + what + " at offset " + text.length() + " in " + text,
                    message(raw("cut.npy", text)));
        }
    }

    /** A malformed header is quoted whole up to 80 characters, and cut after that. */
    @Test
    void longHeadersAreCutInMessages() throws IOException {
        String eighty = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': " + "1".repeat(16) + ")";
        assertEquals(80, eighty.length());
        String text = message(raw("eighty.npy", eighty));
        assertTrue(text.endsWith(" in " + eighty), text);
        String longer = eighty + " ";
        String cut = message(raw("longer.npy", longer + "1"));
        assertTrue(cut.endsWith("... (82 characters)"), cut);
    }

    /** A hostile header nested thousands deep is refused in one short line, not a StackOverflowError. */
    @Test
    void deeplyNestedHeadersAreRefused() throws IOException {
        String deep = "{'descr': '<f4', 'fortran_order': False, 'shape': " + "[".repeat(5000) + "]".repeat(5000) + "}";
        String text = message(raw("deep.npy", deep));
        assertTrue(text.startsWith("deep.npy: malformed header: nested deeper than 32 levels at offset "), text);
        assertTrue(text.length() < 250, text);
        // np.save's own headers nest two deep; 32 levels still parse (and fail on the shape, as they should).
        String ok = dict("<f4", "(" + "[".repeat(30) + "]".repeat(30) + ",)");
        assertTrue(message(raw("ok.npy", ok)).contains("is not a tuple of integers"));
        // Depth is nesting, not count: forty siblings one level down parse.
        String siblings = dict("<f4", "(" + "(), ".repeat(40) + ")");
        assertTrue(message(raw("siblings.npy", siblings)).contains("is not a tuple of integers"));
        // Dicts count too.
        String dicts = "{'a': ".repeat(5000) + "1" + "}".repeat(5000);
        assertTrue(message(raw("dicts.npy", dicts)).startsWith("dicts.npy: malformed header: nested deeper than 32 levels"));
    }

    /** Shapes are printed as Python tuples in messages: "(2, -3)", "(-1,)". */
    @Test
    void negativeDimensionsAreNamedWithTheShape() throws IOException {
        assertEquals("neg.npy: shape (2, -3) has a negative dimension", message(raw("neg.npy", dict("<f4", "(2, -3)"))));
        assertEquals("rows.npy: shape (-1,) gives -1 x 1; need rows >= 0 and columns >= 1",
                message(raw("rows.npy", dict("<f4", "(-1,)"))));
        assertEquals("fortran.npy: fortran_order {'a': 1, 'b': True} is not supported; save a C-order array (np.ascontiguousarray)",
                message(raw("fortran.npy", "{'descr': '<f4', 'fortran_order': {'a': 1, 'b': True}, 'shape': (1,)}")));
        // Lists print as tuples too: the message speaks of the shape, not of Python's types.
        assertEquals("list.npy: shape ('x', None) is not a tuple of integers",
                message(raw("list.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': ['x', None]}")));
    }

    /** Columns up to Integer.MAX_VALUE are a shape (0 rows need no data); one more is not. */
    @Test
    void columnAndSizeLimitsAreExact() throws IOException {
        FloatMatrix widest = Npy.read(raw("widest.npy", dict("<f4", "(0, 2147483647)")));
        assertEquals(0, widest.rows());
        assertEquals(Integer.MAX_VALUE, widest.cols());
        assertEquals("wider.npy: shape (0, 2147483648) has too many columns (more than 2147483647)",
                message(raw("wider.npy", dict("<f4", "(0, 2147483648)"))));
        assertEquals("split.npy: shape (0, 65536, 32768) has too many columns (more than 2147483647)",
                message(raw("split.npy", dict("<f4", "(0, 65536, 32768)"))));
        // rows * cols * 8 bytes must fit a long: Long.MAX_VALUE / 8 rows of one column still do.
        long most = Long.MAX_VALUE / 8;
        assertEquals("most.npy: truncated: expected " + most * 4 + " bytes of data, found 0",
                message(raw("most.npy", dict("<f4", "(" + most + ", 1)"))));
        assertEquals("huge.npy: shape (" + (most + 1) + ", 1) is too large", message(raw("huge.npy", dict("<f4", "(" + (most + 1) + ", 1)"))));
    }

    /** A header of exactly 1 MiB is read; one byte more is taken for corruption. */
    @Test
    void headerLengthLimitIsOneMebibyte() throws IOException {
        String d = dict("<f4", "(1, 2)");
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2).array();
        byte[] header = (d + " ".repeat((1 << 20) - d.length() - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        assertArrayEquals(new float[] {1.5f, -2}, Npy.read(raw("mib.npy", 2, header, data)).toArray());
        byte[] longer = (d + " ".repeat((1 << 20) - d.length()) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("big.npy: header length 1048577 is implausibly large", message(raw("big.npy", 2, longer, data)));
    }

    /** Version 3 headers are UTF-8, versions 1 and 2 Latin-1: the same bytes name another dtype. */
    @Test
    void version3HeadersAreUtf8() throws IOException {
        byte[] header = dict("<f\u00e9", "(1,)").getBytes(StandardCharsets.UTF_8);
        assertEquals("v3.npy: dtype '<f\u00e9' is not supported (float32, float64, uint8, int32, int64)",
                message(raw("v3.npy", 3, header, new byte[4])));
        assertEquals("v2.npy: dtype '<f\u00c3\u00a9' is not supported (float32, float64, uint8, int32, int64)",
                message(raw("v2.npy", 2, header, new byte[4])));
    }

    /**
     * numpy pads the dict for the first axis to grow to 21 digits; the padding depends on the
     * row count's digits, so a 19-digit row count with 10 columns still fits in 128 bytes.
     */
    @Test
    void headerPaddingFollowsNumpyForLongRowCounts() {
        long rows = Long.MAX_VALUE;
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", 10), }";
        String padded = dict + " ".repeat(21 - 19);
        byte[] header = Npy.header(rows, 10, Npy.Dtype.FLOAT32);
        assertEquals(128, header.length);
        assertEquals(padded + " ".repeat(128 - 10 - padded.length() - 1) + "\n",
                new String(header, 10, 118, StandardCharsets.ISO_8859_1));
    }

    /**
     * More than the 1 MiB write buffer and the 2^20-element read chunk, in both dtypes; a matrix
     * that fits a Java array is read onto the heap.
     */
    @Test
    void largeMatricesRoundTrip() throws IOException {
        SplittableRandom rng = TestSeeds.random("large npy");
        float[] v = new float[1200 * 1000];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        FloatMatrix m = FloatMatrix.wrap(1200, 1000, v);
        for (Npy.Dtype dtype : Npy.Dtype.values()) {
            Path p = dir.resolve("large-" + dtype + ".npy");
            Npy.write(p, m, dtype);
            assertEquals(128 + (long) v.length * (dtype == Npy.Dtype.FLOAT32 ? 4 : 8), Files.size(p));
            FloatMatrix back = Npy.read(p);
            assertFalse(back.isOffHeap(), "fits a Java array: on the heap");
            assertArrayEquals(v, back.toArray(), dtype.toString());
        }
    }
}
