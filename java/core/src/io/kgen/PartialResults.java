package io.kgen;

/**
 * From merged partial states to what one engine's calls return, for code that splits the data
 * itself (a sharded engine, a cluster job): the same conventions as {@link Engine#kernelSums} and
 * {@link Engine#logDensity}.
 */
public final class PartialResults {
    private PartialResults() {}

    /**
     * The kernel sums of a complete state (all {@code dataRows} rows merged). A state carries unit
     * weights where none were given; without weights the lse is shifted to the engine's 1/n (1/(n-1)
     * leaving one out).
     */
    public static KernelSums kernelSums(Engine engine, PartialSums complete, long dataRows, boolean weighted,
            boolean leaveOneOut) {
        Checks.notNull(engine, "engine");
        Checks.atLeast(dataRows, leaveOneOut ? 2 : 1, "dataRows");
        KernelSums sums = engine.finalizePartial(complete);
        if (!weighted) {
            double shift = Math.log(leaveOneOut ? dataRows - 1 : dataRows);
            FloatMatrix lse = sums.lse();
            for (long i = 0; i < lse.size(); i++) lse.setFlat(i, (float) (lse.getFlat(i) - shift));
        }
        return sums;
    }

    /**
     * The KDE log-density from kernel sums' lse (m x 1), in place: lse - log Z_k(d, b), for the
     * spec's bandwidth or each query's. Z comes from the library itself (the log-density of one data
     * row at the query's own position, whose logit is 0), so no kernel constant is written twice.
     */
    public static FloatMatrix logDensity(Engine engine, KernelSum spec, FloatMatrix lse, int d) {
        Checks.notNull(engine, "engine");
        Checks.notNull(spec, "spec");
        Checks.notNull(lse, "lse");
        KernelSum probe = KernelSum.of(spec.kernel(), spec.bandwidth());
        long rows = spec.bandwidth() instanceof Bandwidth.PerQuery ? lse.rows() : 1;
        FloatMatrix minusLogZ = engine.logDensity(probe, FloatMatrix.heap(rows, d), FloatMatrix.heap(1, d));
        for (long i = 0; i < lse.size(); i++) lse.setFlat(i, lse.getFlat(i) + minusLogZ.getFlat(rows == 1 ? 0 : i));
        return lse;
    }
}
