package io.kgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.kgen.testing.TestSeeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The CPU's nearest-two screen (a float pass, then float64 for the rows that can still win) gives
 * exactly what a full float64 pass gives, where the screen is most likely to drop a row: near
 * ties at high d, distances whose squares are subnormal or underflow in float, and distances
 * whose squares overflow it. The expected answer is a float64 pass written here, summing in the
 * backend's order (four partial sums) so that exact ties break the same way.
 */
class NearestTwoScreenTest {
    private static double squaredDistance(float[] x, float[] y) {
        double[] part = new double[4];
        int d = x.length, k = 0;
        for (; k + 4 <= d; k += 4) {
            for (int l = 0; l < 4; l++) {
                double diff = (double) x[k + l] - (double) y[k + l];
                part[l] += diff * diff;
            }
        }
        double r2 = (part[0] + part[1]) + (part[2] + part[3]);
        for (; k < d; k++) {
            double diff = (double) x[k] - (double) y[k];
            r2 += diff * diff;
        }
        return r2;
    }

    private static void check(String what, FloatMatrix queries, FloatMatrix data) {
        long[] want = new long[(int) queries.rows() * 2];
        float[] wantDistances = new float[want.length];
        for (int i = 0; i < queries.rows(); i++) {
            double[] r2 = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
            long[] index = {-1, -1};
            for (int j = 0; j < data.rows(); j++) {
                double r = squaredDistance(queries.row(i), data.row(j));
                if (index[0] < 0 || r < r2[0]) {
                    r2[1] = r2[0];
                    index[1] = index[0];
                    r2[0] = r;
                    index[0] = j;
                } else if (index[1] < 0 || r < r2[1]) {
                    r2[1] = r;
                    index[1] = j;
                }
            }
            for (int k = 0; k < 2; k++) {
                want[2 * i + k] = index[k];
                wantDistances[2 * i + k] = (float) Math.sqrt(r2[k]);
            }
        }
        try (Engine engine = Engine.open(Backend.CPU)) {
            NearestTwo got = engine.nearestTwo(queries, data, false);
            assertArrayEquals(want, got.indices(), what + ": indices");
            assertArrayEquals(wantDistances, got.distances().toArray(), what + ": distances");
        }
    }

    /** Data rows at distances from the queries that differ by a few float ulps, or not at all. */
    private static FloatMatrix[] nearTies(SplittableRandom r, int m, int n, int d, double scale) {
        float[] q = new float[m * d], y = new float[n * d];
        for (int i = 0; i < q.length; i++) q[i] = (float) (scale * r.nextGaussian());
        for (int j = 0; j < n; j++) {
            int i = j % m;
            for (int k = 0; k < d; k++) {
                // Each row is a query moved by the same offset up to a few ulps: distances nearly tie.
                float offset = (float) (scale * (1 + 1e-7 * r.nextInt(4)) * (k % 2 == 0 ? 1 : -1));
                y[j * d + k] = q[i * d + k] + offset;
            }
        }
        return new FloatMatrix[] {FloatMatrix.wrap(m, d, q), FloatMatrix.wrap(n, d, y)};
    }

    @Test
    void theScreenNeverChangesTheAnswer() {
        SplittableRandom r = TestSeeds.random("nearest-two screen");
        for (int d : new int[] {1, 3, 8, 17, 784}) {
            FloatMatrix[] ties = nearTies(r, 5, 61, d, 1.0);
            check("near ties, d = " + d, ties[0], ties[1]);
            FloatMatrix[] tiny = nearTies(r, 3, 29, d, 1e-24);  // squares near 1e-48: subnormal or 0 in float
            check("tiny distances, d = " + d, tiny[0], tiny[1]);
            FloatMatrix[] huge = nearTies(r, 3, 29, d, 3e19);  // squares near 1e39: infinite in float
            check("huge distances, d = " + d, huge[0], huge[1]);
        }
    }
}
