package io.kgen;

/**
 * Results of a kernel-sum reduction, one row per query: {@code lse} (m x 1, log of the weighted
 * kernel sum), {@code mean} (m x d, softmax-weighted mean of the data) and {@code gradient}
 * (m x d, sum_j P_ij grad_x log k(x_i, y_j), the KDE score); absent ones are null.
 */
public record KernelSums(FloatMatrix lse, FloatMatrix mean, FloatMatrix gradient) {}
