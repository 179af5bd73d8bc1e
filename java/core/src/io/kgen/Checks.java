package io.kgen;

/**
 * Argument checks that name the argument and its value; each returns what it checked, so a
 * constructor can check and assign in one line. The one place kgen's Java layers check
 * arguments.
 */
public final class Checks {
    /** The largest array the JVM reliably allocates. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private Checks() {}

    public static <T> T notNull(T value, String name) {
        if (value == null) throw new IllegalArgumentException(name + " is null");
        return value;
    }

    public static <M extends Matrix> M nonEmpty(M m, String name) {
        notNull(m, name);
        if (m.rows() == 0) throw new IllegalArgumentException(name + " is empty (0 rows)");
        return m;
    }

    public static <M extends Matrix> M rowsCols(M m, long rows, int cols, String name) {
        notNull(m, name);
        if (m.rows() != rows || m.cols() != cols) {
            throw new IllegalArgumentException(name + " must be " + rows + " x " + cols + ", got "
                    + m.rows() + " x " + m.cols());
        }
        return m;
    }

    /** A vector argument: length x 1 (or 1 x length). */
    public static <M extends Matrix> M vector(M m, long length, String name) {
        notNull(m, name);
        if (m.size() != length || (m.cols() != 1 && m.rows() != 1)) {
            throw new IllegalArgumentException(name + " must be a vector of " + length + " values (" + length
                    + " x 1), got " + m.rows() + " x " + m.cols());
        }
        return m;
    }

    public static double finite(double value, String name) {
        if (!Double.isFinite(value)) throw new IllegalArgumentException(name + " must be finite, got " + value);
        return value;
    }

    public static double positiveFinite(double value, String name) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be positive and finite, got " + value);
        }
        return value;
    }

    public static int atLeast(int value, int min, String name) {
        return (int) atLeast((long) value, min, name);
    }

    public static long atLeast(long value, long min, String name) {
        if (value < min) throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        return value;
    }

    /** A double setting passed to float32 code: finite, and finite once rounded to float. */
    public static float asFloat(double value, String name) {
        finite(value, name);
        float f = (float) value;
        if (Float.isInfinite(f)) throw new IllegalArgumentException(name + " " + value + " overflows float32");
        return f;
    }

    static void shape(long rows, int cols, String name) {
        if (rows < 0) throw new IllegalArgumentException(name + " rows must be >= 0, got " + rows);
        if (cols < 1) throw new IllegalArgumentException(name + " cols must be >= 1, got " + cols);
        if (rows > Long.MAX_VALUE / 4 / cols) {
            throw new IllegalArgumentException(name + " of " + rows + " x " + cols + " floats is too large");
        }
    }

    /** rows x cols as a Java array length, or an exception saying why it cannot be one. */
    static int heapLength(long rows, int cols, String name) {
        shape(rows, cols, name);
        long n = rows * cols;
        if (n > MAX_ARRAY) {
            throw new IllegalArgumentException(name + " of " + rows + " x " + cols + " = " + n
                    + " floats does not fit in a Java array (at most " + MAX_ARRAY
                    + "); use FloatMatrix.offHeap or a DeviceMatrix");
        }
        return (int) n;
    }

    static String at(long flatIndex, int cols) {
        return "row " + flatIndex / cols + ", column " + flatIndex % cols;
    }
}
