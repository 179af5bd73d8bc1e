package io.kgen.sampling;

import java.util.concurrent.CancellationException;

/**
 * Progress of a long run: told after every step, and asked whether to stop. A run that is
 * cancelled throws {@link CancellationException} and frees what it holds.
 */
public interface Progress {
    /** After step {@code done} of {@code total}. */
    default void step(int done, int total) {}

    /** Polled between steps. */
    default boolean cancelled() {
        return false;
    }

    Progress NONE = new Progress() {};

    static void check(Progress p, int done, int total) {
        if (p == null) return;  // a sampler copied to another machine reports nothing there
        p.step(done, total);
        if (p.cancelled()) throw new CancellationException("cancelled after step " + done + " of " + total);
    }
}
