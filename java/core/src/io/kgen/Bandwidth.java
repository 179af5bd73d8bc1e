package io.kgen;

/**
 * The kernel bandwidth b of MATH.md section 1 (h for the Gaussian and Cauchy kernels, tau for
 * the Laplace kernel): one value for all queries, or one per query (a vector of m values, on the
 * host or on the device, checked when a call uses it).
 */
public sealed interface Bandwidth {
    /** One bandwidth for every query. */
    record Common(double value) implements Bandwidth {
        public Common {
            Checks.positiveFinite(value, "bandwidth");
        }
    }

    /** One bandwidth per query. */
    record PerQuery(Matrix values) implements Bandwidth {
        public PerQuery {
            Checks.notNull(values, "bandwidths");
        }
    }

    static Bandwidth of(double value) {
        return new Common(value);
    }

    static Bandwidth perQuery(Matrix values) {
        return new PerQuery(values);
    }

    static Bandwidth perQuery(float... values) {
        Checks.notNull(values, "bandwidths");
        return new PerQuery(FloatMatrix.wrap(values.length, 1, values));
    }
}
