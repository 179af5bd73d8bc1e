package io.kgen.spark;

import io.kgen.FloatMatrix;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Data rows as the reductions take them: {@code float[]} of d values, or d + 1 with the row's
 * weight last; and a partition's rows gathered into one matrix.
 */
final class DataRows {
    private DataRows() {}

    /** A row of (features[, weight]) as floats; the features are an array of floats or doubles. */
    static float[] fromRow(Row row, boolean weighted) {
        return values(row, 0, weighted);
    }

    /** The features in column {@code column} of a row, as floats. */
    static float[] features(Row row, int column) {
        return values(row, column, false);
    }

    /** The features in {@code column}, and when weighted the weight in the column after it. */
    private static float[] values(Row row, int column, boolean weighted) {
        if (row.isNullAt(column)) throw new IllegalArgumentException("a data row has a null feature array");
        List<Object> features = row.getList(column);
        float[] out = new float[features.size() + (weighted ? 1 : 0)];
        for (int k = 0; k < features.size(); k++) {
            Object v = features.get(k);
            if (!(v instanceof Number number)) {
                throw new IllegalArgumentException("a data row has " + (v == null ? "a null" : "a non-numeric") + " feature "
                        + k + ": the features must be an array of floats or doubles");
            }
            out[k] = number.floatValue();
        }
        if (weighted) {
            if (row.isNullAt(column + 1)) throw new IllegalArgumentException("a data row has a null weight");
            out[features.size()] = ((Number) row.get(column + 1)).floatValue();
        }
        return out;
    }

    /** One partition's rows: values (count x d) and, when weighted, the weights (count). */
    record Block(long count, float[] values, float[] weights) {
        FloatMatrix matrix(int d) {
            return FloatMatrix.wrap(count, d, values);
        }
    }

    /** Gathers a partition; {@code where} names it in messages. */
    static Block gather(Iterator<float[]> rows, int d, boolean weighted, String where) {
        int width = d + (weighted ? 1 : 0);
        float[] values = new float[Math.max(16, d) * 64];
        float[] weights = weighted ? new float[64] : null;
        int count = 0;
        while (rows.hasNext()) {
            float[] row = rows.next();
            if (row == null || row.length != width) {
                throw new IllegalArgumentException(where + ", row " + count + ": has " + (row == null ? "no" : row.length)
                        + " values, expected " + width + (weighted ? " (d = " + d + " and a weight)" : " (d)"));
            }
            if ((long) (count + 1) * d > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(where + ": more than " + count + " rows of " + d
                        + " values, beyond one Java array: use more partitions");
            }
            if ((count + 1) * d > values.length) values = Arrays.copyOf(values, Math.max((count + 1) * d, values.length * 2));
            System.arraycopy(row, 0, values, count * d, d);
            if (weighted) {
                if (count == weights.length) weights = Arrays.copyOf(weights, count * 2);
                weights[count] = row[d];
            }
            count++;
        }
        return new Block(count, Arrays.copyOf(values, count * d), weighted ? Arrays.copyOf(weights, count) : null);
    }
}
