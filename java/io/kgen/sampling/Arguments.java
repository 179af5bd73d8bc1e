package io.kgen.sampling;

/** Argument checks for the samplers' settings; each message names the setting and its value. */
final class Arguments {
    private Arguments() {}

    static double positiveFinite(double value, String name) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be positive and finite, got " + value);
        }
        return value;
    }

    static int atLeast(int value, int min, String name) {
        return (int) atLeast((long) value, min, name);
    }

    static long atLeast(long value, long min, String name) {
        if (value < min) throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        return value;
    }

    static <M extends io.kgen.Matrix> M nonEmpty(M matrix, String name) {
        if (matrix == null || matrix.rows() == 0) throw new IllegalArgumentException(name + " is empty");
        return matrix;
    }

    static <T> T notNull(T value, String name) {
        if (value == null) throw new IllegalArgumentException(name + " is null");
        return value;
    }
}
