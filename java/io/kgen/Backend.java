package io.kgen;

/** Where an {@link Engine} runs. */
public enum Backend {
    /** A CUDA device when one is usable, else the CPU. */
    AUTO,
    /** All hardware threads of this machine, float64 accumulation: the reference. */
    CPU,
    /** A CUDA device (the NVIDIA driver is the only run-time need). */
    CUDA
}
