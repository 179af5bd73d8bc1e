package io.kgen;

/**
 * What to reduce (MATH.md section 1): the kernel, its bandwidth, optional data weights and
 * leave-one-out. Immutable; each {@code with} method returns a copy.
 *
 * <pre>{@code
 * KernelSum spec = KernelSum.gaussian(0.1f).withLeaveOneOut(true);
 * }</pre>
 */
public final class KernelSum {
    private final Kernel kernel;
    private final Bandwidth bandwidth;
    private final Matrix weights;
    private final boolean leaveOneOut;

    private KernelSum(Kernel kernel, Bandwidth bandwidth, Matrix weights, boolean leaveOneOut) {
        this.kernel = kernel;
        this.bandwidth = bandwidth;
        this.weights = weights;
        this.leaveOneOut = leaveOneOut;
    }

    public static KernelSum of(Kernel kernel, Bandwidth bandwidth) {
        Checks.notNull(kernel, "kernel");
        Checks.notNull(bandwidth, "bandwidth");
        return new KernelSum(kernel, bandwidth, null, false);
    }

    /** Gaussian kernel with bandwidth h. */
    public static KernelSum gaussian(double h) {
        return of(Kernel.GAUSSIAN, Bandwidth.of(h));
    }

    /** Laplace kernel with scale tau. */
    public static KernelSum laplace(double tau) {
        return of(Kernel.LAPLACE, Bandwidth.of(tau));
    }

    /** Cauchy (Student-t, one degree of freedom) kernel with scale h. */
    public static KernelSum cauchy(double h) {
        return of(Kernel.CAUCHY, Bandwidth.of(h));
    }

    public KernelSum withBandwidth(Bandwidth b) {
        Checks.notNull(b, "bandwidth");
        return new KernelSum(kernel, b, weights, leaveOneOut);
    }

    /**
     * Data weights w_j >= 0 (a vector of n values), used as given: for a density they should sum
     * to 1. Null restores uniform weights 1/n (1/(n-1) with leave-one-out).
     */
    public KernelSum withWeights(Matrix w) {
        return new KernelSum(kernel, bandwidth, w, leaveOneOut);
    }

    public KernelSum withWeights(float... w) {
        return withWeights(w == null ? null : FloatMatrix.wrap(w.length, 1, w));
    }

    /** Skip the pair (i, i): queries and data are the same set. */
    public KernelSum withLeaveOneOut(boolean on) {
        return new KernelSum(kernel, bandwidth, weights, on);
    }

    public Kernel kernel() {
        return kernel;
    }

    public Bandwidth bandwidth() {
        return bandwidth;
    }

    public Matrix weights() {
        return weights;
    }

    public boolean leaveOneOut() {
        return leaveOneOut;
    }

    @Override
    public String toString() {
        return "KernelSum[" + kernel + ", " + bandwidth + (weights != null ? ", weighted" : "")
                + (leaveOneOut ? ", leave-one-out" : "") + "]";
    }
}
