package io.kgen;

import io.kgen.nativeapi.KgenNative;

/**
 * The checked, placed operands of one pairwise reduction, as native addresses. Shapes first,
 * then values, then placement: queries and data must be finite ({@link Call#finiteInput}); host
 * weights and per-query bandwidths are checked here on the host, context ones by the native call
 * itself on the context (no copy back).
 */
final class Operands {
    long queries;
    long m;
    long data;
    long n;
    int d;
    long weights;
    int leaveOneOut;
    int kernel;
    long bandwidths;
    float bandwidth = 1f;

    private Operands() {}

    /** Queries and data of a kernel-free reduction (weights optional, unit when null). */
    static Operands pairs(Call call, Matrix queries, Matrix data, Matrix weights, boolean leaveOneOut) {
        Operands o = shapes(queries, data, leaveOneOut, true);
        if (weights != null) Checks.vector(weights, o.n, "weights");
        o.place(call, queries, data, weights, false);
        return o;
    }

    /**
     * A kernel reduction. {@code partial}: over a slice of the data, where leave-one-out goes by
     * offset (no m == n) and the slice's weights may all be 0.
     */
    static Operands kernel(Call call, KernelSum spec, Matrix queries, Matrix data, boolean partial) {
        Checks.notNull(spec, "spec");
        Operands o = shapes(queries, data, spec.leaveOneOut(), !partial);
        o.kernel = spec.kernel().code;
        if (spec.weights() != null) Checks.vector(spec.weights(), o.n, "weights");
        float least = KgenNative.kgen_min_bandwidth(o.kernel, o.d);
        if (spec.bandwidth() instanceof Bandwidth.PerQuery per) {
            Checks.vector(per.values(), o.m, "bandwidths");
            if (per.values() instanceof FloatMatrix host) requireBandwidths(host, least, spec.kernel(), o.d);
        } else {
            o.bandwidth = commonBandwidth(((Bandwidth.Common) spec.bandwidth()).value(), least, spec.kernel(), o.d);
        }
        o.place(call, queries, data, spec.weights(), !partial);
        if (spec.bandwidth() instanceof Bandwidth.PerQuery per) o.bandwidths = call.input(per.values(), "bandwidths");
        return o;
    }

    private static Operands shapes(Matrix queries, Matrix data, boolean leaveOneOut, boolean sameSet) {
        Checks.nonEmpty(queries, "queries");
        Checks.nonEmpty(data, "data");
        if (queries.cols() != data.cols()) {
            throw new IllegalArgumentException("queries has " + queries.cols() + " columns but data has "
                    + data.cols() + ": both must be points in the same dimension d");
        }
        Operands o = new Operands();
        o.m = queries.rows();
        o.n = data.rows();
        o.d = queries.cols();
        o.leaveOneOut = leaveOneOut ? 1 : 0;
        if (leaveOneOut && sameSet) {
            if (o.m != o.n) {
                throw new IllegalArgumentException("leave-one-out needs queries and data to be the same set, but "
                        + "queries has " + o.m + " rows and data " + o.n);
            }
            if (o.n < 2) throw new IllegalArgumentException("leave-one-out needs at least 2 data rows, got " + o.n);
        }
        return o;
    }

    private void place(Call call, Matrix queries, Matrix data, Matrix weights, boolean positiveWeightSum) {
        this.queries = call.finiteInput(queries, "queries");
        this.data = call.finiteInput(data, "data");
        if (weights instanceof FloatMatrix host) requireWeights(host, positiveWeightSum);
        if (weights != null) this.weights = call.input(weights, "weights");
    }

    private static void requireWeights(FloatMatrix w, boolean positiveSum) {
        ValueScan scan = w.scan(0f);
        if (!scan.clean()) {
            throw new IllegalArgumentException("weights[" + scan.first() + "] must be finite and >= 0, got "
                    + w.getFlat(scan.first()) + " (" + scan.bad() + " bad weight(s))");
        }
        if (positiveSum && !(scan.sum() > 0)) {
            throw new IllegalArgumentException("weights must have a positive sum, got " + scan.sum());
        }
    }

    private static void requireBandwidths(FloatMatrix h, float least, Kernel kernel, int d) {
        ValueScan scan = h.scan(least);
        if (!scan.clean()) {
            throw new IllegalArgumentException("bandwidths[" + scan.first() + "] must be finite and at least " + least
                    + " for the " + kernel + " kernel in d = " + d + ", got " + h.getFlat(scan.first()) + " ("
                    + scan.bad() + " bad bandwidth(s))");
        }
    }

    private static float commonBandwidth(double value, float least, Kernel kernel, int d) {
        float b = (float) value;
        if (!(b >= least) || Float.isInfinite(b)) {
            throw new IllegalArgumentException("bandwidth " + value + " is outside what the " + kernel + " kernel takes"
                    + " in d = " + d + " (finite, at least " + least + ", below which its logit scale overflows float)");
        }
        return b;
    }
}
