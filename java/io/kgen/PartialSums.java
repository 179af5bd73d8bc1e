package io.kgen;

/**
 * The mergeable partial state of a reduction over a slice of the data (MATH.md section 1):
 * {@code maxLogit} and {@code sumExp} (m x 1), {@code weightedSum} (m x d) and, for the Laplace
 * kernel, {@code laplaceSum} (m x d, or null). States of different slices of the same data merge
 * exactly with {@link Engine#mergePartial}; {@link Engine#finalizePartial} turns a state into
 * {@link KernelSums}. The matrices may be host or device matrices of one engine.
 */
public record PartialSums(Matrix maxLogit, Matrix sumExp, Matrix weightedSum, Matrix laplaceSum) {
    public PartialSums {
        Checks.notNull(maxLogit, "maxLogit");
        Checks.notNull(sumExp, "sumExp");
        Checks.notNull(weightedSum, "weightedSum");
    }

    public long rows() {
        return maxLogit.rows() * maxLogit.cols();
    }

    public int cols() {
        return weightedSum.cols();
    }

    /** A zero state on the host for m queries in dimension d. */
    public static PartialSums host(long m, int d, boolean laplace) {
        return new PartialSums(FloatMatrix.heap(m, 1), FloatMatrix.heap(m, 1), FloatMatrix.heap(m, d),
                laplace ? FloatMatrix.heap(m, d) : null);
    }
}
