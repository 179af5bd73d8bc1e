package io.kgen;

/**
 * Results of a kernel-sum reduction, one row per query: {@code lse} (m x 1, log of the weighted
 * kernel sum), {@code mean} (m x d, softmax-weighted mean of the data) and, for the Laplace
 * kernel, {@code laplaceGradient} (m x d, sum_j P_ij (y_j - x_i) / (tau r_ij)); absent ones are
 * null.
 */
public record KernelSums(FloatMatrix lse, FloatMatrix mean, FloatMatrix laplaceGradient) {}
