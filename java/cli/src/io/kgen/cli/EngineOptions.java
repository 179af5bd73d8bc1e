package io.kgen.cli;

import io.kgen.Backend;
import io.kgen.CpuOptions;
import io.kgen.Engine;
import picocli.CommandLine.Option;

/** Where a command runs: the backend, and on the CPU its threads and path. */
final class EngineOptions {
    @Option(names = "--backend", description = "AUTO, CPU or CUDA (default: ${DEFAULT-VALUE})")
    Backend backend = Backend.AUTO;

    @Option(names = "--threads",
            description = "CPU threads (default: KGEN_THREADS, else every hardware thread); results do not depend on it")
    Integer threads;

    @Option(names = "--cpu-path", description = "FAST or REFERENCE (float64) kernel sums on the CPU (default: ${DEFAULT-VALUE})")
    CpuOptions.Path cpuPath = CpuOptions.Path.FAST;

    /** The engine asked for; --threads and --cpu-path apply wherever it is the CPU. */
    Engine open() {
        if (backend == Backend.CUDA || (backend == Backend.AUTO && Engine.cudaDeviceCount() > 0)) {
            return Engine.open(backend);
        }
        CpuOptions options = CpuOptions.defaults().withPath(cpuPath);
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            options = options.withThreads(threads);
        }
        return Engine.cpu(options);
    }
}
