package io.kgen.spark;

import java.util.function.Supplier;

/**
 * Runs a Spark action. An argument error raised in a task comes back as the
 * IllegalArgumentException it was (Spark wraps it in a SparkException, which Java does not see
 * declared); any other job failure as an IllegalStateException carrying Spark's.
 */
final class Jobs {
    private Jobs() {}

    /** The action's result, or null when it reduced no elements at all (treeReduce of empty data). */
    static <T> T run(Supplier<T> action) {
        try {
            return action.get();
        } catch (UnsupportedOperationException e) {
            if (String.valueOf(e.getMessage()).contains("empty collection")) return null;
            throw e;
        } catch (Exception e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof IllegalArgumentException bad) throw new IllegalArgumentException(bad.getMessage(), e);
            }
            if (e instanceof RuntimeException r) throw r;
            throw new IllegalStateException("the Spark job failed: " + e.getMessage(), e);
        }
    }
}
