package io.kgen.testing;

import java.util.SplittableRandom;

/**
 * The one source of seeds for randomised tests. Each call returns a fresh seed (from the JVM's
 * entropy, different every run) and prints it; with {@code -Dkgen.test.seed=N} every call returns
 * N instead, so any failing run can be replayed:
 *
 * <pre>  mvn -B verify -Dkgen.test.seed=N -Dtest=TheFailingTest</pre>
 *
 * A test that needs several independent streams derives them from its one seed (e.g. with
 * {@link SplittableRandom#split()} or seed + k), never from the clock.
 */
public final class TestSeeds {
    /** The system property that fixes every seed. */
    public static final String PROPERTY = "kgen.test.seed";

    private static final SplittableRandom FRESH = new SplittableRandom();

    private TestSeeds() {}

    /** A seed for {@code what} (named in the printed line), fresh or the replayed one. */
    public static long seed(String what) {
        String fixed = System.getProperty(PROPERTY);
        long seed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim()) : fresh();
        System.out.println("[seed] " + what + ": " + seed + " (replay with -D" + PROPERTY + "=" + seed + ")");
        return seed;
    }

    /** A generator seeded by {@link #seed(String)}. */
    public static SplittableRandom random(String what) {
        return new SplittableRandom(seed(what));
    }

    private static long fresh() {
        synchronized (FRESH) {
            return FRESH.nextLong();
        }
    }
}
