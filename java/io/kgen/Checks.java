package io.kgen;

/** Argument checks that name the argument and its value. */
final class Checks {
    /** The largest array the JVM reliably allocates. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private Checks() {}

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

    static void notNull(Object value, String name) {
        if (value == null) throw new IllegalArgumentException(name + " is null");
    }

    static void nonEmpty(Matrix m, String name) {
        notNull(m, name);
        if (m.rows() == 0) throw new IllegalArgumentException(name + " is empty (0 rows)");
    }

    static void rowsCols(Matrix m, long rows, int cols, String name) {
        notNull(m, name);
        if (m.rows() != rows || m.cols() != cols) {
            throw new IllegalArgumentException(name + " must be " + rows + " x " + cols + ", got "
                    + m.rows() + " x " + m.cols());
        }
    }

    /** A vector argument: rows x 1 (or 1 x rows). */
    static void vector(Matrix m, long length, String name) {
        notNull(m, name);
        if (m.size() != length || (m.cols() != 1 && m.rows() != 1)) {
            throw new IllegalArgumentException(name + " must be a vector of " + length + " values (" + length
                    + " x 1), got " + m.rows() + " x " + m.cols());
        }
    }

    static void finite(float value, String name) {
        if (!Float.isFinite(value)) throw new IllegalArgumentException(name + " must be finite, got " + value);
    }

    static void positiveFinite(float value, String name) {
        if (!(value > 0) || !Float.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be positive and finite, got " + value);
        }
    }

    /**
     * A bandwidth must also keep the kernels' logit scale c log2(e) finite in float, where
     * c = 1/(2 h^2) (Gaussian) or 1/tau (Laplace).
     */
    static void bandwidth(Kernel kernel, float h, String name) {
        positiveFinite(h, name);
        float c = kernel == Kernel.GAUSSIAN ? 1.0f / (2.0f * h * h) : 1.0f / h;
        if (Float.isInfinite(c * 1.4426950408889634f)) {
            throw new IllegalArgumentException(name + " " + h + " is too small: its logit scale overflows float");
        }
    }

    static String at(long flatIndex, int cols) {
        return "row " + flatIndex / cols + ", column " + flatIndex % cols;
    }
}
