package io.kgen.io;

import io.kgen.FloatMatrix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy {@code .npy} files as {@link FloatMatrix}: reads format versions 1.0, 2.0 and 3.0; writes
 * 1.0, or 2.0 when the header does not fit in 1.0, with the same bytes as {@code np.save}.
 *
 * <p>Read takes C-order arrays of float32, float64, uint8, int32 or int64 (either byte order),
 * converted to float32. Shape (n, d) gives n x d, (n,) gives n x 1, and (n, a, b, ...) gives
 * n x (a*b*...), which suits image stacks. The result is on the heap when it fits in a Java array,
 * otherwise off heap (close it).
 *
 * <p>A file that cannot be read or is not a supported .npy throws {@link IOException} whose
 * message names the file and the problem; bad arguments (a null matrix or dtype) throw
 * {@link IllegalArgumentException}.
 */
public final class Npy {
    /** What {@link #write(Path, FloatMatrix, Dtype)} stores. */
    public enum Dtype {
        FLOAT32("<f4", 4),
        FLOAT64("<f8", 8);

        final String descr;
        final int size;

        Dtype(String descr, int size) {
            this.descr = descr;
            this.size = size;
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** np.save leaves room for the growth axis to reach this many digits (numpy >= 1.23). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Headers are a few hundred bytes; a huge length means a corrupt file, not a huge header. */
    private static final int MAX_HEADER = 1 << 20;
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 20;
    private static final String SUPPORTED = "float32, float64, uint8, int32, int64";

    private Npy() {}

    public static FloatMatrix read(Path path) throws IOException {
        String name = String.valueOf(path.getFileName());
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer pre = readExactly(ch, 8, name, "the magic and version");
            byte[] magic = new byte[6];
            pre.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(name + ": not a .npy file (bad magic bytes, expected \\x93NUMPY)");
            }
            int major = pre.get() & 0xff;
            int minor = pre.get() & 0xff;
            if (major < 1 || major > 3 || minor != 0) {
                throw new IOException(name + ": .npy format version " + major + "." + minor
                        + " is not supported (1.0, 2.0, 3.0)");
            }
            ByteBuffer len = readExactly(ch, major == 1 ? 2 : 4, name, "the header length");
            len.order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = major == 1 ? len.getShort() & 0xffff : len.getInt() & 0xffffffffL;
            if (headerLen > MAX_HEADER) {
                throw new IOException(name + ": header length " + headerLen + " is implausibly large");
            }
            ByteBuffer hb = readExactly(ch, (int) headerLen, name, "the header");
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Header h = Header.parse(header, name);
            return readData(ch, h, name);
        }
    }

    public static void write(Path path, FloatMatrix m) throws IOException {
        write(path, m, Dtype.FLOAT32);
    }

    public static void write(Path path, FloatMatrix m, Dtype dtype) throws IOException {
        if (m == null) throw new IllegalArgumentException("matrix is null");
        if (dtype == null) throw new IllegalArgumentException("dtype is null");
        AtomicFiles.replace(path, file -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                buf.put(header(m.rows(), m.cols(), dtype));
                for (long r = 0; r < m.rows(); r++) {
                    for (float v : m.row(r)) {
                        if (buf.remaining() < dtype.size) drain(ch, buf);
                        if (dtype == Dtype.FLOAT32) buf.putFloat(v);
                        else buf.putDouble(v);
                    }
                }
                drain(ch, buf);
            }
        });
    }

    /** The preamble and padded header, as np.save writes them. */
    static byte[] header(long rows, int cols, Dtype dtype) {
        String rowsText = Long.toString(rows);
        StringBuilder dict = new StringBuilder("{'descr': '").append(dtype.descr)
                .append("', 'fortran_order': False, 'shape': (").append(rowsText).append(", ").append(cols)
                .append("), }");
        dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - rowsText.length())));
        int version = padded(10, dict.length()) - 10 <= 0xffff ? 1 : 2;
        int preamble = version == 1 ? 10 : 12;
        dict.append(" ".repeat(padded(preamble, dict.length()) - preamble - dict.length() - 1)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(preamble + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) out.putShort((short) text.length);
        else out.putInt(text.length);
        return out.put(text).array();
    }

    /** The total length, preamble to data, rounded up to the alignment numpy uses. */
    private static int padded(int preamble, int dictLength) {
        int unpadded = preamble + dictLength + 1;
        return (unpadded + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static FloatMatrix readData(FileChannel ch, Header h, String name) throws IOException {
        long size = h.rows * h.cols;
        long expected = size * h.itemSize;
        long found = ch.size() - ch.position();
        if (found < expected) {
            throw new IOException(name + ": truncated: expected " + expected + " bytes of data, found " + found);
        }
        // Small enough for an array: decode straight into it; otherwise through a chunk to off heap.
        float[] values = size <= MAX_ARRAY ? new float[(int) size] : null;
        FloatMatrix m = values != null ? FloatMatrix.wrap(h.rows, h.cols, values) : FloatMatrix.offHeap(h.rows, h.cols);
        try {
            fill(ch, h, name, m, values);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    private static void fill(FileChannel ch, Header h, String name, FloatMatrix m, float[] values)
            throws IOException {
        long size = m.size();
        float[] chunk = values == null ? new float[CHUNK] : null;
        ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(size, CHUNK) * h.itemSize).order(h.order);
        for (long at = 0; at < size; ) {
            int n = (int) Math.min(CHUNK, size - at);
            buf.clear().limit(n * h.itemSize);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw new IOException(name + ": truncated: expected " + size * h.itemSize
                            + " bytes of data, found " + (at * h.itemSize + buf.position()));
                }
            }
            buf.flip();
            if (values != null) {
                decode(buf, h.kind, values, (int) at, n);
            } else {
                decode(buf, h.kind, chunk, 0, n);
                for (int i = 0; i < n; i++) m.setFlat(at + i, chunk[i]);
            }
            at += n;
        }
    }

    private static void decode(ByteBuffer buf, char kind, float[] out, int off, int n) {
        int end = off + n;
        switch (kind) {
            case 'f' -> buf.asFloatBuffer().get(out, off, n);
            case 'd' -> { for (int i = off; i < end; i++) out[i] = (float) buf.getDouble(); }
            case 'b' -> { for (int i = off; i < end; i++) out[i] = buf.get() & 0xff; }
            case 'i' -> { for (int i = off; i < end; i++) out[i] = buf.getInt(); }
            case 'l' -> { for (int i = off; i < end; i++) out[i] = buf.getLong(); }
            default -> throw new IllegalStateException("kind " + kind);
        }
    }

    private static ByteBuffer readExactly(FileChannel ch, int n, String name, String what) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException(name + ": truncated: file ends inside " + what + " (" + b.position()
                        + " of " + n + " bytes)");
            }
        }
        return b.flip();
    }

    private static void drain(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
    }

    /** The parts of the header dict that matter, checked. */
    private record Header(long rows, int cols, char kind, int itemSize, ByteOrder order) {
        static Header parse(String text, String name) throws IOException {
            Object parsed;
            try {
                parsed = new Literal(text).parseTop();
            } catch (IllegalArgumentException e) {
                throw new IOException(name + ": malformed header: " + e.getMessage() + " in " + excerpt(text));
            }
            if (!(parsed instanceof Map<?, ?> dict)) {
                throw new IOException(name + ": malformed header: not a dict: " + excerpt(text));
            }
            for (String key : List.of("descr", "fortran_order", "shape")) {
                if (!dict.containsKey(key)) throw new IOException(name + ": header has no '" + key + "' key");
            }
            Object descr = dict.get("descr");
            if (!(descr instanceof String d)) {
                throw new IOException(name + ": dtype " + py(descr) + " is not supported (" + SUPPORTED + ")");
            }
            if (!Boolean.FALSE.equals(dict.get("fortran_order"))) {
                throw new IOException(name + ": fortran_order " + py(dict.get("fortran_order"))
                        + " is not supported; save a C-order array (np.ascontiguousarray)");
            }
            if (!(dict.get("shape") instanceof List<?> shape) || !shape.stream().allMatch(Long.class::isInstance)) {
                throw new IOException(name + ": shape " + py(dict.get("shape")) + " is not a tuple of integers");
            }
            return of(d, shape, name);
        }

        /** The header for a message: whole when short, else its first 80 characters. */
        private static String excerpt(String text) {
            String t = text.strip();
            return t.length() <= 80 ? t : t.substring(0, 80) + "... (" + t.length() + " characters)";
        }

        /** A parsed value as Python would print it, for messages. */
        private static String py(Object v) {
            if (v instanceof Boolean b) return b ? "True" : "False";
            if (v instanceof String s) return "'" + s + "'";
            if (v instanceof List<?> items) {
                StringBuilder out = new StringBuilder("(");
                for (Object item : items) out.append(out.length() > 1 ? ", " : "").append(py(item));
                return out.append(items.size() == 1 ? ",)" : ")").toString();
            }
            if (v instanceof Map<?, ?> d) {
                StringBuilder out = new StringBuilder("{");
                d.forEach((k, x) -> out.append(out.length() > 1 ? ", " : "").append(py(k)).append(": ").append(py(x)));
                return out.append("}").toString();
            }
            return String.valueOf(v);
        }

        private static Header of(String descr, List<?> shape, String name) throws IOException {
            ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            String type = descr.length() == 3 && "<>|=".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : "";
            char kind = switch (type) {
                case "f4" -> 'f';
                case "f8" -> 'd';
                case "u1" -> 'b';
                case "i4" -> 'i';
                case "i8" -> 'l';
                default -> throw new IOException(name + ": dtype '" + descr + "' is not supported (" + SUPPORTED + ")");
            };
            if (descr.charAt(0) == '=') order = ByteOrder.nativeOrder();
            if (shape.isEmpty()) {
                throw new IOException(name + ": a 0-d array (a scalar) is not supported; expected shape (n, d) or (n,)");
            }
            long rows = (Long) shape.get(0);
            long cols = 1;
            for (Object dim : shape.subList(1, shape.size())) {
                if ((Long) dim < 0) throw new IOException(name + ": shape " + py(shape) + " has a negative dimension");
                cols *= Math.min((Long) dim, 1L + Integer.MAX_VALUE);
                if (cols > Integer.MAX_VALUE) {
                    throw new IOException(name + ": shape " + py(shape) + " has too many columns (more than "
                            + Integer.MAX_VALUE + ")");
                }
            }
            if (rows < 0 || cols < 1) {
                throw new IOException(name + ": shape " + py(shape) + " gives " + rows + " x " + cols
                        + "; need rows >= 0 and columns >= 1");
            }
            if (rows > Long.MAX_VALUE / 8 / cols) throw new IOException(name + ": shape " + py(shape) + " is too large");
            return new Header(rows, (int) cols, kind, Integer.parseInt(type.substring(1)), order);
        }
    }

    /**
     * The Python literals a header uses: dicts, tuples, lists, strings, ints, True/False/None.
     * Throws IllegalArgumentException with the offset of anything else.
     */
    private static final class Literal {
        private static final Object NONE = new Object() {
            @Override
            public String toString() {
                return "None";
            }
        };
        /** Deeper headers are refused before they can exhaust the stack (np.save writes depth 2). */
        static final int MAX_DEPTH = 32;
        private final String s;
        private int at;
        private int depth;

        Literal(String s) {
            this.s = s;
        }

        Object parseTop() {
            Object v = value();
            skipSpace();
            if (at != s.length()) throw error("unexpected '" + s.charAt(at) + "'");
            return v;
        }

        private Object value() {
            skipSpace();
            if (at >= s.length()) throw error("unexpected end");
            char c = s.charAt(at);
            if (c == '{') return dict();
            if (c == '(') return sequence(')');
            if (c == '[') return sequence(']');
            if (c == '\'' || c == '"') return string(c);
            if (c == '-' || Character.isDigit(c)) return integer();
            if (Character.isLetter(c)) return name();
            throw error("unexpected '" + c + "'");
        }

        private Map<Object, Object> dict() {
            enter();
            Map<Object, Object> d = new LinkedHashMap<>();
            at++;
            while (!closes('}')) {
                Object key = value();
                skipSpace();
                expect(':');
                d.put(key, value());
                if (closes('}')) break;
                expect(',');
            }
            depth--;
            return d;
        }

        private List<Object> sequence(char close) {
            enter();
            List<Object> items = new ArrayList<>();
            at++;
            while (!closes(close)) {
                items.add(value());
                if (closes(close)) break;
                expect(',');
            }
            depth--;
            return items;
        }

        private void enter() {
            if (++depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH + " levels");
        }

        private String string(char quote) {
            int end = s.indexOf(quote, at + 1);
            if (end < 0) throw error("unterminated string");
            String v = s.substring(at + 1, end);
            at = end + 1;
            return v;
        }

        private Long integer() {
            int start = at;
            if (s.charAt(at) == '-') at++;
            while (at < s.length() && Character.isDigit(s.charAt(at))) at++;
            String digits = s.substring(start, at);
            if (at < s.length() && (s.charAt(at) == 'L' || s.charAt(at) == 'l')) at++; // Python 2 long
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error("bad integer '" + digits + "'");
            }
        }

        private Object name() {
            int start = at;
            while (at < s.length() && Character.isLetterOrDigit(s.charAt(at))) at++;
            String word = s.substring(start, at);
            return switch (word) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                case "None" -> NONE;
                default -> throw error("unexpected name '" + word + "'");
            };
        }

        /** Consumes the closing bracket if it comes next (after a trailing comma or not). */
        private boolean closes(char close) {
            skipSpace();
            if (at >= s.length()) throw error("missing '" + close + "'");
            if (s.charAt(at) != close) return false;
            at++;
            return true;
        }

        private void expect(char c) {
            skipSpace();
            if (at >= s.length() || s.charAt(at) != c) throw error("expected '" + c + "'");
            at++;
        }

        private void skipSpace() {
            while (at < s.length() && (Character.isWhitespace(s.charAt(at)) || s.charAt(at) == '\0')) at++;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + at);
        }
    }
}
