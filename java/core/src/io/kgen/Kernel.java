package io.kgen;

/**
 * The kernels of MATH.md section 1, the Java twin of native/src/common/kernels.h. With r the
 * distance between query and data point and b the bandwidth:
 */
public enum Kernel {
    /** exp(-r^2 / (2 b^2)). */
    GAUSSIAN(0),
    /** exp(-r / b). */
    LAPLACE(1),
    /**
     * (1 + r^2 / b^2)^(-(d + 1) / 2): the multivariate Cauchy (Student-t, one degree of freedom).
     * Heavy tails, so far points keep weight, and a proper density in every dimension d.
     */
    CAUCHY(2);

    final int code;

    Kernel(int code) {
        this.code = code;
    }
}
