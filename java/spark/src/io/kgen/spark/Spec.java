package io.kgen.spark;

import io.kgen.Bandwidth;
import io.kgen.FloatMatrix;
import io.kgen.Kernel;
import io.kgen.KernelSum;
import java.io.Serializable;

/**
 * A {@link KernelSum} that Spark can ship: the kernel, a common bandwidth or one per query, and
 * leave-one-out. Data weights travel with the data rows instead.
 */
record Spec(Kernel kernel, double bandwidth, float[] perQuery, boolean leaveOneOut) implements Serializable {
    /** The shippable part of {@code spec}; data weights are refused (they are a column of the data). */
    static Spec of(KernelSum spec) {
        if (spec == null) throw new IllegalArgumentException("spec is null");
        if (spec.weights() != null) {
            throw new IllegalArgumentException("spec has weights: on Spark the weights are a column of the data "
                    + "(the weight column of a Dataset)");
        }
        if (spec.bandwidth() instanceof Bandwidth.PerQuery per) {
            if (!(per.values() instanceof FloatMatrix host)) {
                throw new IllegalArgumentException("per-query bandwidths must be a host matrix on Spark");
            }
            return new Spec(spec.kernel(), Double.NaN, host.toArray(), spec.leaveOneOut());
        }
        return new Spec(spec.kernel(), ((Bandwidth.Common) spec.bandwidth()).value(), null, spec.leaveOneOut());
    }

    /** The spec, with data weights for a block when the data carries them (null: unit weights). */
    KernelSum toKernelSum(float[] weights) {
        Bandwidth b = perQuery != null ? Bandwidth.perQuery(perQuery) : Bandwidth.of(bandwidth);
        KernelSum spec = KernelSum.of(kernel, b).withLeaveOneOut(leaveOneOut);
        return weights == null ? spec : spec.withWeights(weights);
    }
}
