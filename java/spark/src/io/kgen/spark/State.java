package io.kgen.spark;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.PartialSums;
import java.io.Serializable;

/**
 * The partial state of all the queries against some data rows (MATH.md section 1), as Spark
 * ships it between executors and the driver; {@code dataRows} counts the rows it covers.
 */
record State(long queries, int cols, long dataRows, float[] maxLogit, float[] sumExp, float[] weightedSum,
        float[] gradientSum) implements Serializable {
    static State of(PartialSums sums, long dataRows) {
        return new State(sums.rows(), sums.cols(), dataRows, host(sums.maxLogit()).toArray(),
                host(sums.sumExp()).toArray(), host(sums.weightedSum()).toArray(), host(sums.gradientSum()).toArray());
    }

    /** Views of the arrays (no copy). */
    PartialSums sums() {
        return new PartialSums(FloatMatrix.wrap(queries, 1, maxLogit), FloatMatrix.wrap(queries, 1, sumExp),
                FloatMatrix.wrap(queries, cols, weightedSum), FloatMatrix.wrap(queries, cols, gradientSum));
    }

    /** The state of both slices, merged by {@code engine} into a copy (neither argument changes). */
    State merge(State other, Engine engine) {
        State merged = new State(queries, cols, dataRows + other.dataRows, maxLogit.clone(), sumExp.clone(),
                weightedSum.clone(), gradientSum.clone());
        engine.mergePartial(merged.sums(), other.sums());
        return merged;
    }

    private static FloatMatrix host(io.kgen.Matrix m) {
        return (FloatMatrix) m;
    }
}
