package io.kgen.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    /** np.save(f, np.array([[1, 2], [3, 4]], dtype='<f4')), byte for byte. */
    private static byte[] golden() {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
        String header = dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(128 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        b.putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        return b.array();
    }

    /** A .npy file with the given header dict text, padded as numpy pads it, and data bytes. */
    private Path npy(String name, int major, String dict, byte[] data) throws IOException {
        int preamble = major == 1 ? 10 : 12;
        int total = (preamble + dict.length() + 1 + 63) / 64 * 64;
        byte[] header = (dict + " ".repeat(total - preamble - dict.length() - 1) + "\n")
                .getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(preamble + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) header.length);
        else b.putInt(header.length);
        b.put(header).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    }

    private static byte[] floats(ByteOrder order, float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    private static byte[] doubles(ByteOrder order, double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(order);
        for (double x : v) b.putDouble(x);
        return b.array();
    }

    private static FloatMatrix random(long seed, int rows, int cols) {
        Random rnd = new Random(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(13) - 6));
        return FloatMatrix.wrap(rows, cols, v);
    }

    private static void assertMatrix(FloatMatrix m, long rows, int cols, float... values) {
        assertEquals(rows, m.rows(), "rows");
        assertEquals(cols, m.cols(), "cols");
        assertArrayEquals(values, m.toArray());
    }

    private IOException rejects(Path p, String... parts) {
        IOException e = assertThrows(IOException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().startsWith(p.getFileName() + ": "), e.getMessage());
        for (String part : parts) assertTrue(e.getMessage().contains(part), e.getMessage());
        return e;
    }

    @Test
    void roundTripsOddShapesAsFloat32AndFloat64() throws IOException {
        long seed = TestSeeds.seed("npy round trip");
        int[][] shapes = {{1, 1}, {7, 3}, {1000, 17}, {0, 5}};
        for (int[] s : shapes) {
            FloatMatrix m = random(seed + s[0], s[0], s[1]);
            for (Npy.Dtype dtype : Npy.Dtype.values()) {
                Path p = dir.resolve("m" + s[0] + "x" + s[1] + dtype + ".npy");
                Npy.write(p, m, dtype);
                assertEquals(0, (Files.size(p) - m.size() * (dtype == Npy.Dtype.FLOAT32 ? 4 : 8)) % 64,
                        "data starts 64-aligned");
                FloatMatrix back = Npy.read(p);
                assertEquals(m.rows(), back.rows());
                assertEquals(m.cols(), back.cols());
                assertArrayEquals(m.toArray(), back.toArray(), "seed " + seed + ", " + dtype);
            }
        }
    }

    @Test
    void goldenBytesMatchNumpy() throws IOException {
        Path p = dir.resolve("golden.npy");
        Files.write(p, golden());
        assertMatrix(Npy.read(p), 2, 2, 1, 2, 3, 4);

        Path out = dir.resolve("written.npy");
        Npy.write(out, FloatMatrix.of(new float[][] {{1, 2}, {3, 4}}));
        assertArrayEquals(golden(), Files.readAllBytes(out));
    }

    @Test
    void readsFloat64RoundingToFloat32() throws IOException {
        Path p = npy("f8.npy", 1, dict("<f8", "(2, 2)"), doubles(ByteOrder.LITTLE_ENDIAN, 0.1, -2.5, 1e300, Math.PI));
        assertMatrix(Npy.read(p), 2, 2, 0.1f, -2.5f, Float.POSITIVE_INFINITY, (float) Math.PI);
    }

    @Test
    void readsBigEndian() throws IOException {
        assertMatrix(Npy.read(npy("be4.npy", 1, dict(">f4", "(1, 3)"), floats(ByteOrder.BIG_ENDIAN, 1.5f, -2, 3e-7f))),
                1, 3, 1.5f, -2, 3e-7f);
        assertMatrix(Npy.read(npy("be8.npy", 1, dict(">f8", "(3, 1)"), doubles(ByteOrder.BIG_ENDIAN, 1.5, -2, 0.1))),
                3, 1, 1.5f, -2, 0.1f);
    }

    @Test
    void readsIntegerDtypes() throws IOException {
        assertMatrix(Npy.read(npy("u1.npy", 1, dict("|u1", "(2, 2)"), new byte[] {0, 1, (byte) 200, (byte) 255})),
                2, 2, 0, 1, 200, 255);
        ByteBuffer i4 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putInt(0).putInt(1 << 20);
        assertMatrix(Npy.read(npy("i4.npy", 1, dict("<i4", "(3,)"), i4.array())), 3, 1, -7, 0, 1 << 20);
        ByteBuffer i8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-3).putLong(1L << 40);
        assertMatrix(Npy.read(npy("i8.npy", 1, dict("<i8", "(1, 2)"), i8.array())), 1, 2, -3, 0x1p40f);
    }

    @Test
    void oneDimensionalIsAColumnAndHigherDimensionsFlatten() throws IOException {
        assertMatrix(Npy.read(npy("vec.npy", 1, dict("<f4", "(3,)"), floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3))),
                3, 1, 1, 2, 3);
        float[] v = new float[2 * 3 * 4];
        for (int i = 0; i < v.length; i++) v[i] = i;
        FloatMatrix images = Npy.read(npy("stack.npy", 1, dict("<f4", "(2, 3, 4)"), floats(ByteOrder.LITTLE_ENDIAN, v)));
        assertMatrix(images, 2, 12, v);
        assertEquals(1 * 12 + 2 * 4 + 3, images.get(1, 2 * 4 + 3), "image 1, pixel (2, 3)");
        assertMatrix(Npy.read(npy("empty.npy", 1, dict("<f4", "(0, 4)"), new byte[0])), 0, 4);
    }

    @Test
    void parsesHeaderVariantsAndVersions() throws IOException {
        byte[] data = floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4);
        String[] dicts = {
            "{'descr':'<f4','fortran_order':False,'shape':(2,2)}",
            "{ 'shape' : ( 2 , 2 , ) ,\t'fortran_order' : False , 'descr' : '<f4' , }",
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L, 2L)}",
        };
        for (int i = 0; i < dicts.length; i++) {
            assertMatrix(Npy.read(npy("v" + i + ".npy", 1, dicts[i], data)), 2, 2, 1, 2, 3, 4);
        }
        assertMatrix(Npy.read(npy("v2.npy", 2, dict("<f4", "(2, 2)"), data)), 2, 2, 1, 2, 3, 4);
        assertMatrix(Npy.read(npy("v3.npy", 3, dict("<f4", "(4,)"), data)), 4, 1, 1, 2, 3, 4);
    }

    @Test
    void headerOfTheLargestShapeMatchesNumpy() {
        // numpy's _write_array_header for this shape and '<f8'.
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (9999999999999, 2147483647), }";
        byte[] header = Npy.header(9_999_999_999_999L, Integer.MAX_VALUE, Npy.Dtype.FLOAT64);
        assertEquals(128, header.length);
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0}, Arrays.copyOf(header, 10));
        assertEquals(dict + " ".repeat(128 - 11 - dict.length()) + "\n",
                new String(header, 10, 118, StandardCharsets.ISO_8859_1));
    }

    @Test
    void rejectsWrongMagic() throws IOException {
        Path p = dir.resolve("text.npy");
        Files.writeString(p, "x,y\n1,2\n3,4\n");
        rejects(p, "not a .npy file");
        Path tiny = dir.resolve("tiny.npy");
        Files.write(tiny, new byte[] {(byte) 0x93, 'N'});
        rejects(tiny, "truncated");
    }

    @Test
    void rejectsUnsupportedVersion() throws IOException {
        byte[] bytes = golden();
        bytes[6] = 4;
        Path p = dir.resolve("v4.npy");
        Files.write(p, bytes);
        rejects(p, "version 4.0");
    }

    @Test
    void rejectsFortranOrder() throws IOException {
        Path p = npy("fortran.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4));
        rejects(p, "fortran_order True is not supported");
    }

    @Test
    void rejectsUnsupportedDtype() throws IOException {
        Path p = npy("samples.npy", 1, dict("<c8", "(2, 2)"), new byte[32]);
        IOException e = rejects(p);
        assertEquals("samples.npy: dtype '<c8' is not supported (float32, float64, uint8, int32, int64)", e.getMessage());
        rejects(npy("structured.npy", 1, "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }",
                new byte[8]), "is not supported");
    }

    @Test
    void rejectsScalarsAndZeroColumns() throws IOException {
        rejects(npy("scalar.npy", 1, dict("<f4", "()"), floats(ByteOrder.LITTLE_ENDIAN, 1)), "0-d array");
        rejects(npy("nocols.npy", 1, dict("<f4", "(3, 0)"), new byte[0]), "columns >= 1");
    }

    @Test
    void rejectsTruncatedData() throws IOException {
        byte[] full = golden();
        Path p = dir.resolve("cut.npy");
        Files.write(p, Arrays.copyOf(full, full.length - 3));
        IOException e = rejects(p);
        assertEquals("cut.npy: truncated: expected 16 bytes of data, found 13", e.getMessage());
        Files.write(p, Arrays.copyOf(full, 60));
        rejects(p, "truncated", "header");
    }

    @Test
    void rejectsMalformedHeader() throws IOException {
        rejects(npy("junk.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2}", new byte[16]),
                "malformed header");
        rejects(npy("nokey.npy", 1, "{'descr': '<f4', 'shape': (2, 2)}", new byte[16]), "'fortran_order'");
        rejects(npy("code.npy", 1, "{'descr': '<f4', 'fortran_order': __import__('os'), 'shape': (2, 2)}",
                new byte[16]), "malformed header");
    }

    @Test
    void readsWhatItWroteThroughMatrixFiles() throws IOException {
        FloatMatrix m = random(TestSeeds.seed("npy through MatrixFiles"), 5, 2);
        Path p = dir.resolve("x.NPY");
        MatrixFiles.write(p, m);
        assertArrayEquals(m.toArray(), MatrixFiles.read(p).toArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatrixFiles.read(dir.resolve("data.txt")));
        assertEquals("data.txt: extension '.txt' is not supported (expected .npy or .csv)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MatrixFiles.write(dir.resolve("data"), m));
    }
}
