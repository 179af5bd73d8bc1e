package io.kgen;

/** Free and total bytes of an engine's context memory (device memory, or host memory on the CPU). */
public record MemoryInfo(long freeBytes, long totalBytes) {}
