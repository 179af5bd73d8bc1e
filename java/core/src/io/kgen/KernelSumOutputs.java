package io.kgen;

/**
 * Where a kernel-sum reduction writes (host or context matrices of the engine): {@code lse}
 * (m x 1), {@code mean} (m x d), {@code gradient} (m x d). Any may be null, not all three.
 */
public record KernelSumOutputs(Matrix lse, Matrix mean, Matrix gradient) {
    public KernelSumOutputs {
        if (lse == null && mean == null && gradient == null) {
            throw new IllegalArgumentException("no output requested: lse, mean and gradient are all null");
        }
    }

    public static KernelSumOutputs lseAndMean(Matrix lse, Matrix mean) {
        return new KernelSumOutputs(lse, mean, null);
    }
}
