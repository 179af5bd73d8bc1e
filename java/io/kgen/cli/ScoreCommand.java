package io.kgen.cli;

import io.kgen.Engine;
import io.kgen.KernelSum;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "score",
        description = "The Gaussian KDE score (MEAN - x) / h^2 of the data at every query (m x d).")
final class ScoreCommand implements Callable<Integer> {
    @Mixin
    PrimitiveOptions io;

    @Option(names = "--leave-one-out", description = "queries are the data: skip each point's own term")
    boolean leaveOneOut;

    @Override
    public Integer call() throws Exception {
        try (Engine engine = Engine.open(io.backend)) {
            KernelSum spec = KernelSum.gaussian(io.bandwidth).withLeaveOneOut(leaveOneOut);
            io.write(engine.score(spec, io.readQueries(), io.readData()));
        }
        return 0;
    }
}
