package io.kgen;

/** The kernels of MATH.md section 1. */
public enum Kernel {
    /** exp(-|x - y|^2 / (2 h^2)); the bandwidth is h. */
    GAUSSIAN(0),
    /** exp(-|x - y| / tau); the bandwidth is tau. */
    LAPLACE(1);

    final int code;

    Kernel(int code) {
        this.code = code;
    }
}
