package io.kgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.provider.Arguments;

/**
 * What every operation family's contract test shares: one engine of the backend under test
 * (opened once per class, closed after), operands placed on the heap, off heap or in context
 * memory, outputs poisoned with NaN, random problems at odd sizes, float64 error bounds.
 *
 * <p>Error bounds, per element of query i, with tol_i = base + perLogit L_i, where base is the
 * backend's relative accuracy and L_i = |max_j log k_ij| the size of the logits that carry the
 * weight: a backend that forms logits in float32 has an absolute logit error of about perLogit L_i,
 * which moves the softmax weights by as much.
 * <ul>
 *   <li>lse, log-density: |out - ref| <= base max(1, |ref|) + perLogit L_i
 *   <li>mean: |out - ref| <= tol_i max_j |y_j| (the mean is a convex combination of the data)
 *   <li>gradient, score: |out - ref| <= tol_i G_ik, G_ik a bound on |grad log k| (Float64Oracle)
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EngineFixture {
    /** Where operands and outputs live for a call. */
    enum Placement { HEAP, OFF_HEAP, DEVICE }

    /** The backend under test and what to expect of it. */
    enum Profile {
        /**
         * The CPU's fast path: logits and exponentials in float32 (a few ulp of the logit: the
         * logit term), sums in float32 within a block and float64 across blocks (hence base 1e-5).
         */
        CPU(List.of(Placement.HEAP, Placement.OFF_HEAP, Placement.DEVICE), true),
        /** The CPU's reference path, logits and sums in float64: only the final rounding to float32. */
        CPU_REFERENCE(List.of(Placement.HEAP, Placement.OFF_HEAP, Placement.DEVICE), true),
        /**
         * Float32 on the GPU: sums carry about sqrt(n) ulp, hence base 3e-5; logits are formed in
         * float32 with a relative error of about (sqrt(d) + 3) ulp, hence the logit term.
         */
        CUDA(List.of(Placement.DEVICE, Placement.HEAP), false);

        final List<Placement> placements;
        /** Whether elementwise float updates match Java's float arithmetic bit for bit (no FMA). */
        final boolean exactElementwise;

        Profile(List<Placement> placements, boolean exactElementwise) {
            this.placements = placements;
            this.exactElementwise = exactElementwise;
        }

        double baseTolerance(int d) {
            switch (this) {
                case CPU_REFERENCE: return 1e-6;
                case CPU: return 1e-5;
                default: return 3e-5;
            }
        }

        double logitTolerance(int d) {
            return this == CPU_REFERENCE ? 0 : 4 * 0x1p-24 * (Math.sqrt(d) + 3);
        }

        Engine open() {
            switch (this) {
                case CPU_REFERENCE: return Engine.cpu(CpuOptions.defaults().withPath(CpuOptions.Path.REFERENCE));
                case CPU: return Engine.open(Backend.CPU);
                default:
                    assumeTrue(Engine.cudaDeviceCount() > 0, "no CUDA device");
                    return Engine.open(Backend.CUDA);
            }
        }
    }

    protected Engine engine;

    abstract Profile profile();

    List<Placement> placements() {
        return profile().placements;
    }

    double baseTolerance(int d) {
        return profile().baseTolerance(d);
    }

    double logitTolerance(int d) {
        return profile().logitTolerance(d);
    }

    @BeforeAll
    void open() {
        engine = profile().open();
        System.out.println("[engine] " + engine.describe());
    }

    @AfterAll
    void close() {
        if (engine != null) engine.close();
    }

    // (m, n, d): 1, primes, sizes that are no multiple of a tile, d from 1 to 784.
    static Stream<Arguments> shapes() {
        int[][] shapes = {
            {1, 1, 1}, {1, 7, 2}, {13, 1, 3}, {2, 2, 2}, {97, 131, 2}, {131, 97, 3}, {37, 61, 17},
            {5, 257, 1}, {3, 2003, 2}, {61, 61, 3}, {7, 11, 784}, {29, 53, 784}, {23, 23, 33}, {3, 389, 784}
        };
        List<Arguments> out = new ArrayList<>();
        for (int[] s : shapes) out.add(Arguments.of(s[0], s[1], s[2]));
        return out.stream();
    }

    /** Per-query tolerances tol_i for one problem. */
    final class Tolerance {
        final double base;
        final double perLogit;
        final double[] scale;

        Tolerance(Float64Oracle ref, int d, double factor) {
            base = factor * baseTolerance(d);
            perLogit = factor * logitTolerance(d);
            scale = ref.logitScale;
        }

        double of(int i) {
            return base + perLogit * scale[i];
        }

        double lse(int i, double ref) {
            return base * Math.max(1, Math.abs(ref)) + perLogit * scale[i];
        }
    }

    /** One random problem: data, queries (the data itself for leave-one-out), weights, bandwidths. */
    static final class Problem {
        final float[][] x;
        final float[][] y;
        final float[] weights;
        final float[] bandwidths;
        final boolean perQuery;
        final boolean leaveOneOut;

        Problem(long seed, int m, int n, int d, Kernel kernel, boolean weighted, boolean perQuery, boolean loo) {
            SplittableRandom rng = new SplittableRandom(seed);
            y = TestData.gaussian(rng, n, d, 1.0);
            x = loo ? y : TestData.gaussian(rng, m, d, 1.2);
            double typical = Math.sqrt(2.0 * d); // typical distance between two points
            double lo = kernel == Kernel.LAPLACE ? 0.1 : 0.2;
            bandwidths = TestData.uniform(rng, x.length, lo * typical, 0.8 * typical);
            if (!perQuery) java.util.Arrays.fill(bandwidths, bandwidths[0]);
            this.perQuery = perQuery;
            weights = weighted ? TestData.uniform(rng, n, 0.0, 1.0) : null;
            if (weighted) weights[rng.nextInt(n)] = 0f; // a zero weight must simply drop its row
            if (weighted && n == 1) weights[0] = 0.5f;
            leaveOneOut = loo;
        }

        KernelSum spec(Kernel kernel) {
            Bandwidth b = perQuery ? Bandwidth.perQuery(bandwidths.clone()) : Bandwidth.of(bandwidths[0]);
            return KernelSum.of(kernel, b).withWeights(weights == null ? null : weights.clone())
                    .withLeaveOneOut(leaveOneOut);
        }

        Float64Oracle oracle(Kernel kernel) {
            return new Float64Oracle(kernel, x, y, weights, bandwidths, leaveOneOut);
        }
    }

    /** Operands placed as the test asks; closes what it created. */
    final class Operands implements AutoCloseable {
        final Placement where;
        final Matrix queries;
        final Matrix data;
        private final List<AutoCloseable> owned = new ArrayList<>();

        Operands(Placement where, float[][] x, float[][] y) {
            this.where = where;
            this.queries = x == null ? null : place(FloatMatrix.of(x));
            this.data = y == null ? null : (x == y ? queries : place(FloatMatrix.of(y)));
        }

        private Matrix place(FloatMatrix host) {
            switch (where) {
                case HEAP:
                    return host;
                case OFF_HEAP: {
                    FloatMatrix off = FloatMatrix.offHeap(host.rows(), host.cols());
                    owned.add(off);
                    float[] values = host.toArray();
                    for (int i = 0; i < values.length; i++) off.setFlat(i, values[i]);
                    return off;
                }
                default: {
                    DeviceMatrix dm = engine.upload(host);
                    owned.add(dm);
                    return dm;
                }
            }
        }

        /** An output of the placement's kind, filled with NaN. */
        Matrix output(long rows, int cols) {
            FloatMatrix poisoned = TestData.poisoned(rows, cols);
            if (where == Placement.HEAP) return poisoned;
            Matrix placed = place(poisoned);
            if (placed instanceof DeviceMatrix dm) engine.fill(dm, Float.NaN);
            return placed;
        }

        float[] values(Matrix m) {
            if (m instanceof DeviceMatrix dm) return dm.download().toArray();
            return ((FloatMatrix) m).toArray();
        }

        @Override
        public void close() {
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    interface Bound1 {
        double at(int i);
    }

    interface Bound2 {
        double at(int i, int k);
    }

    static void assertVector(String what, double[] ref, float[] got, Bound1 bound) {
        assertEquals(ref.length, got.length, what + ": length");
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs(got[i] - ref[i]);
            if (!(err <= bound.at(i))) {
                fail(what + "[" + i + "]: got " + got[i] + ", float64 reference " + ref[i] + ", error " + err
                        + " > bound " + bound.at(i));
            }
        }
    }

    static void assertRows(String what, double[][] ref, float[] got, Bound2 bound) {
        int d = ref[0].length;
        assertEquals(ref.length * d, got.length, what + ": length");
        for (int i = 0; i < ref.length; i++) {
            for (int k = 0; k < d; k++) {
                float g = got[i * d + k];
                double err = Math.abs(g - ref[i][k]);
                if (!(err <= bound.at(i, k))) {
                    fail(what + "[" + i + "][" + k + "]: got " + g + ", float64 reference " + ref[i][k] + ", error "
                            + err + " > bound " + bound.at(i, k));
                }
            }
        }
    }
}
