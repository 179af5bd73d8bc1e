package io.kgen;

/**
 * How a CPU engine runs: its thread count, its path (fast or float64 reference) and the
 * instruction set of the fast path's kernels. Immutable; each {@code with} method returns a copy.
 *
 * <p>Results are bit-identical for every thread count. The defaults: the KGEN_THREADS
 * environment variable when set, else every hardware thread; the fast path; the best instruction
 * set this CPU supports (or KGEN_CPU_ISA when set).
 */
public final class CpuOptions {
    /** The two CPU paths: fast (float32 tiles, float64 row sums) or reference (float64 throughout). */
    public enum Path { FAST, REFERENCE }

    /** Instruction sets the fast path is compiled for; AUTO picks the best this CPU supports. */
    public enum Isa { AUTO, PORTABLE, AVX2, AVX512 }

    private static final CpuOptions DEFAULTS = new CpuOptions(0, Path.FAST, Isa.AUTO);

    private final int threads;
    private final Path path;
    private final Isa isa;

    private CpuOptions(int threads, Path path, Isa isa) {
        this.threads = threads;
        this.path = path;
        this.isa = isa;
    }

    public static CpuOptions defaults() {
        return DEFAULTS;
    }

    /** Runs on {@code threads} threads (the calling thread included). */
    public CpuOptions withThreads(int threads) {
        Checks.atLeast(threads, 1, "threads");
        return new CpuOptions(threads, path, isa);
    }

    public CpuOptions withPath(Path path) {
        Checks.notNull(path, "path");
        return new CpuOptions(threads, path, isa);
    }

    /** Forces an instruction set (opening fails where this CPU lacks it). */
    public CpuOptions withIsa(Isa isa) {
        Checks.notNull(isa, "isa");
        return new CpuOptions(threads, path, isa);
    }

    /** The threads a CPU engine with the default count runs on: KGEN_THREADS, else every hardware thread. */
    public static int defaultThreads() {
        return NativeContext.defaultCpuThreads();
    }

    /** The thread count asked for, 0 for the default. */
    public int threads() {
        return threads;
    }

    public Path path() {
        return path;
    }

    public Isa isa() {
        return isa;
    }
}
