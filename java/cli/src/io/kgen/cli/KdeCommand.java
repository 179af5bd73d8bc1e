package io.kgen.cli;

import io.kgen.Engine;
import io.kgen.Bandwidth;
import io.kgen.Kernel;
import io.kgen.KernelSum;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "kde", description = "The KDE log-density of the data at every query (m x 1), with the normalised kernel.")
final class KdeCommand implements Callable<Integer> {
    @Mixin
    PrimitiveOptions io;

    @Option(names = "--leave-one-out", description = "queries are the data: skip each point's own term")
    boolean leaveOneOut;

    @Option(names = "--kernel", description = "GAUSSIAN, LAPLACE or CAUCHY (default: ${DEFAULT-VALUE})")
    Kernel kernel = Kernel.GAUSSIAN;

    @Override
    public Integer call() throws Exception {
        io.checkPaths();
        try (Engine engine = io.engine.open()) {
            KernelSum spec = io.weighted(KernelSum.of(kernel, Bandwidth.of(io.bandwidth)).withLeaveOneOut(leaveOneOut));
            io.write(engine.logDensity(spec, io.readQueries(), io.readData()));
        }
        return 0;
    }
}
