package io.kgen;

/**
 * A place in kgen's counter-based random numbers (Philox4x32-10): element {@code offset + k} of
 * stream {@code stream} under key {@code seed} is the same float on the CPU, a GPU and in Java.
 */
public record RandomStream(long seed, long stream, long offset) {
    /** Elements from 0 on. */
    public static RandomStream of(long seed, long stream) {
        return new RandomStream(seed, stream, 0);
    }

    /** The same stream from element {@code offset}. */
    public RandomStream at(long newOffset) {
        return new RandomStream(seed, stream, newOffset);
    }
}
