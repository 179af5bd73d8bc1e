package io.kgen;

/** Where an {@link Engine} runs. */
public enum Backend {
    /** A CUDA device when one is usable, else the CPU. */
    AUTO,
    /**
     * The CPU: the fast path on every hardware thread (or KGEN_THREADS); {@link Engine#cpu(CpuOptions)}
     * chooses the threads and the float64 reference path.
     */
    CPU,
    /** A CUDA device (the NVIDIA driver is the only run-time need). */
    CUDA
}
