package io.kgen.cli;

import java.util.Locale;

/**
 * An estimate of a command's heap before it allocates, so that a request too large for the JVM is
 * one line that says what it needs and how to get it, not an OutOfMemoryError half way through.
 */
final class WorkingMemory {
    /** Float copies of the samples a sampler keeps at once (particles, scores, noise, outputs). */
    static final int SAMPLE_COPIES = 6;

    private WorkingMemory() {}

    /** Fails when {@code floats} float32 values would not fit in three quarters of the heap. */
    static void require(String what, long floats) {
        long bytes = floats * Float.BYTES;
        long heap = Runtime.getRuntime().maxMemory();
        if (floats < 0 || bytes > heap / 4 * 3) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s needs about %s of memory, more than the Java heap's %s: use smaller sizes (or several runs "
                            + "with different --seed), or a larger heap (KGEN_JAVA_OPTS=-Xmx16g ./kgen ...)",
                    what, size(floats < 0 ? Long.MAX_VALUE : bytes), size(heap)));
        }
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%d MiB", bytes >> 20);
    }
}
