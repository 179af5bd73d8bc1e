package io.kgen;

/**
 * A row-major float32 matrix: {@link FloatMatrix} in host memory (on or off the Java heap), or
 * {@link DeviceMatrix} in an engine's context memory. Engine operations take either.
 */
public sealed interface Matrix permits FloatMatrix, DeviceMatrix {
    long rows();

    int cols();

    default long size() {
        return rows() * cols();
    }

    default long bytes() {
        return size() * Float.BYTES;
    }
}
