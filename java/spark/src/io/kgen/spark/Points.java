package io.kgen.spark;

import io.kgen.FloatMatrix;
import java.io.Serializable;

/** A row-major float matrix that Spark can ship (broadcast data, sampled blocks). */
record Points(long rows, int cols, float[] values) implements Serializable {
    static Points of(FloatMatrix m) {
        return new Points(m.rows(), m.cols(), m.toArray());
    }

    FloatMatrix matrix() {
        return FloatMatrix.wrap(rows, cols, values);
    }
}
