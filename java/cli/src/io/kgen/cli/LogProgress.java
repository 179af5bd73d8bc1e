package io.kgen.cli;

import io.kgen.sampling.Progress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress for output that is not a terminal (a log file, a CI console): a line every few
 * seconds, where a redrawing bar would fill the log with carriage returns.
 */
final class LogProgress implements Progress {
    static final long INTERVAL_NANOS = 5_000_000_000L;

    private final String task;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long lastLine = start;

    LogProgress(String task, PrintStream out) {
        this.task = task;
        this.out = out;
    }

    @Override
    public void step(int done, int total) {
        long now = System.nanoTime();
        if (now - lastLine < INTERVAL_NANOS && done < total) return;
        lastLine = now;
        out.printf(Locale.ROOT, "kgen: %s step %d of %d (%.0f%%), %.1f s%n", task, done, total,
                100.0 * done / Math.max(1, total), (now - start) / 1e9);
    }
}
