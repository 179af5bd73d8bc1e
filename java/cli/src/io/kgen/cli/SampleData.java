package io.kgen.cli;

import io.kgen.FloatMatrix;
import java.util.Locale;

/**
 * What `kgen sample` needs of its data, checked as soon as it is loaded so that a failure names
 * the data and the real cause (a NaN at row 7, too few points, no spread), not a parameter that
 * was derived from it later (a bandwidth of NaN or 0).
 */
final class SampleData {
    private SampleData() {}

    static FloatMatrix require(FloatMatrix y, String name) {
        long bad = 0, firstRow = -1;
        int firstCol = -1;
        for (long r = 0; r < y.rows(); r++) {
            float[] row = y.row(r);
            for (int c = 0; c < row.length; c++) {
                if (Float.isFinite(row[c])) continue;
                if (bad++ == 0) {
                    firstRow = r;
                    firstCol = c;
                }
            }
        }
        if (bad > 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: %d value(s) are NaN or infinite (or beyond float32's 3.4e38); the first is %s at row %d, "
                            + "column %d (both from 0)", name, bad, y.get(firstRow, firstCol), firstRow, firstCol));
        }
        if (y.rows() < 2) {
            throw new IllegalArgumentException(name + ": " + y.rows() + " point(s); sampling needs at least 2");
        }
        float[] first = y.row(0);
        for (long r = 1; r < y.rows(); r++) {
            if (!java.util.Arrays.equals(first, y.row(r))) return y;
        }
        throw new IllegalArgumentException(name + ": all " + y.rows() + " points are the same; there is no spread "
                + "to sample from");
    }
}
