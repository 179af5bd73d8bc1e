package io.kgen.sampling;

/**
 * The Philox stream of every draw a sampler makes, so that one seed fixes a whole run and a
 * step can be replayed on its own: purpose in the top 8 bits, step in the next 40, replica
 * (e.g. the Monte Carlo draw) in the low 16. The element within a stream is row x d + column.
 */
final class Streams {
    static final int START = 1;
    static final int STEP_NOISE = 2;
    static final int MOLLIFIER = 3;
    static final int KDE_PICK = 4;
    static final int KDE_NOISE = 5;
    static final int TIME_WINDOW = 6;

    private Streams() {}

    static long of(int purpose, long step, int replica) {
        return ((long) purpose << 56) | ((step & ((1L << 40) - 1)) << 16) | (replica & 0xFFFFL);
    }
}
