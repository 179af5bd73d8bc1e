package io.kgen;

/**
 * The mergeable partial state of a reduction over a slice of the data (MATH.md section 1):
 * {@code maxLogit} and {@code sumExp} (m x 1), {@code weightedSum} (m x d) and optionally
 * {@code gradientSum} (m x d, or null). States of different slices of the same data merge
 * exactly with {@link Engine#mergePartial}; {@link Engine#finalizePartial} turns a state into
 * {@link KernelSums}. The matrices may be host or device matrices of one engine.
 *
 * <p>Weighting: a partial state carries the weights it was given, and unit weights where none
 * were given; {@link Engine#kernelSums} without weights uses 1/n. So the lse of a finalized state
 * over all n rows without weights is the kernel sums' lse plus log n.
 */
public record PartialSums(Matrix maxLogit, Matrix sumExp, Matrix weightedSum, Matrix gradientSum) {
    public PartialSums {
        Checks.notNull(maxLogit, "maxLogit");
        Checks.notNull(sumExp, "sumExp");
        Checks.notNull(weightedSum, "weightedSum");
    }

    public long rows() {
        return maxLogit.size();
    }

    public int cols() {
        return weightedSum.cols();
    }

    /** A zero state on the host for m queries in dimension d, with a gradient sum when asked. */
    public static PartialSums host(long m, int d, boolean gradient) {
        return new PartialSums(FloatMatrix.heap(m, 1), FloatMatrix.heap(m, 1), FloatMatrix.heap(m, d),
                gradient ? FloatMatrix.heap(m, d) : null);
    }
}
