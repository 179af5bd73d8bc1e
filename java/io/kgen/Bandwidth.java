package io.kgen;

/**
 * The kernel bandwidth: h for the Gaussian, tau for the Laplace kernel. One value for all
 * queries, or one per query (a vector of m values, on the host or on the device).
 */
public final class Bandwidth {
    private final float value;
    private final Matrix perQuery;

    private Bandwidth(float value, Matrix perQuery) {
        this.value = value;
        this.perQuery = perQuery;
    }

    public static Bandwidth of(float value) {
        Checks.positiveFinite(value, "bandwidth");
        return new Bandwidth(value, null);
    }

    /** One bandwidth per query: a vector of m values; checked when used. */
    public static Bandwidth perQuery(Matrix values) {
        Checks.notNull(values, "bandwidths");
        return new Bandwidth(Float.NaN, values);
    }

    public static Bandwidth perQuery(float... values) {
        Checks.notNull(values, "bandwidths");
        return perQuery(FloatMatrix.wrap(values.length, 1, values));
    }

    public boolean isPerQuery() {
        return perQuery != null;
    }

    /** The common value (NaN when per query). */
    public float value() {
        return value;
    }

    /** The per-query values (null when common). */
    public Matrix values() {
        return perQuery;
    }

    @Override
    public String toString() {
        return perQuery == null ? "Bandwidth[" + value + "]" : "Bandwidth[per query, " + perQuery.size() + "]";
    }
}
