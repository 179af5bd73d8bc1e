package io.kgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The kernel-free pairwise family (nearest two, distance sums) of one backend against float64. */
abstract class PairwiseContract extends EngineFixture {
    /** Nearest two rows and distance sums against brute force in float64. */
    @ParameterizedTest(name = "m={0} n={1} d={2}")
    @MethodSource("shapes")
    void nearestTwoAndDistanceSumsMatchFloat64(int m, int n, int d) {
        long seed = TestData.freshSeed("nearest two " + m + "x" + n + "x" + d);
        boolean loo = m == n && n >= 2;
        Problem p = new Problem(seed, m, n, d, Kernel.GAUSSIAN, true, false, loo);
        double tol = baseTolerance(d) + logitTolerance(d);
        for (Placement where : placements()) {
            try (Operands o = new Operands(where, p.x, p.y)) {
                NearestTwo near = engine.nearestTwo(o.queries, o.data, loo);
                float[] sums = engine.distanceSums(o.queries, o.data, FloatMatrix.wrap(n, 1, p.weights.clone()), loo).toArray();
                for (int i = 0; i < m; i++) {
                    double[] r = new double[n];
                    double weighted = 0;
                    for (int j = 0; j < n; j++) {
                        double r2 = 0;
                        for (int k = 0; k < d; k++) r2 += ((double) p.x[i][k] - p.y[j][k]) * ((double) p.x[i][k] - p.y[j][k]);
                        r[j] = (loo && i == j) ? Double.POSITIVE_INFINITY : Math.sqrt(r2);
                        if (!(loo && i == j)) weighted += p.weights[j] * r[j];
                    }
                    Integer[] order = new Integer[n];
                    for (int j = 0; j < n; j++) order[j] = j;
                    java.util.Arrays.sort(order, (a, b) -> r[a] != r[b] ? Double.compare(r[a], r[b]) : Integer.compare(a, b));
                    int available = loo ? n - 1 : n;
                    for (int k = 0; k < 2; k++) {
                        float got = near.distances().get(i, k);
                        long index = near.indices()[2 * i + k];
                        if (k >= available) {
                            assertEquals(Float.POSITIVE_INFINITY, got, where + " missing neighbour " + k + " of " + i);
                            assertEquals(-1, index);
                            continue;
                        }
                        double want = r[order[k]];
                        assertEquals(want, got, tol * Math.max(want, 1e-30) + 1e-30, where + " distance " + k + " of query " + i);
                        // Indices must agree unless float rounding could reorder a near tie.
                        double gapBelow = k == 0 ? Double.POSITIVE_INFINITY : want - r[order[k - 1]];
                        double gapAbove = k + 1 < available ? r[order[k + 1]] - want : Double.POSITIVE_INFINITY;
                        if (Math.min(gapBelow, gapAbove) > 4 * tol * want) {
                            assertEquals((long) order[k], index, where + " index " + k + " of query " + i);
                        }
                    }
                    assertEquals(weighted, sums[i], tol * Math.max(weighted, 1e-30) + 1e-30, where + " distance sum " + i);
                }
            }
        }
    }

    @Test
    void nearestTiesGoToTheSmallerIndex() {
        float[][] y = {{1, 1}, {0, 0}, {1, 1}, {0, 0}};
        float[][] x = {{0.1f, 0.1f}};
        try (Operands o = new Operands(placements().get(0), x, y)) {
            NearestTwo near = engine.nearestTwo(o.queries, o.data, false);
            assertArrayEquals(new long[] {1, 3}, near.indices());
        }
    }

}
