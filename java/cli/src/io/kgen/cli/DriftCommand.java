package io.kgen.cli;

import io.kgen.Engine;
import io.kgen.sampling.Drifting;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "drift", description = {"Drifting steps for the query particles against the data; writes the moved",
    "particles, i.e. the targets x + eta V(x) of training pairs when --steps is 1."})
final class DriftCommand implements Callable<Integer> {
    @Mixin
    PrimitiveOptions io;

    @Option(names = "--field", description = "LAPLACE, GAUSSIAN_GRADIENT or LAPLACE_BATCH (default: ${DEFAULT-VALUE})")
    Drifting.Field field = Drifting.Field.LAPLACE;

    @Option(names = "--eta", description = "step size (default: 0.5, or 0.5 h^2 for the Gaussian field, "
            + Drifting.BATCH_STEP + " of the batch field's step)")
    Double eta;

    @Option(names = "--steps", description = "steps (default: ${DEFAULT-VALUE})")
    int steps = 1;

    @Option(names = "--negatives", description = "fixed negatives of the LAPLACE_BATCH field besides the queries, "
            + ".npy or .csv (q x d)")
    Path negatives;

    @Override
    public Integer call() throws Exception {
        io.checkPaths();
        if (io.weights != null) throw new IllegalArgumentException("--weights: drift takes no data weights");
        Drifting.Builder b = Drifting.builder().field(field).bandwidth(io.bandwidth).steps(steps);
        if (eta != null) b.stepSize(eta);
        if (negatives != null) b.negatives(PrimitiveOptions.read(negatives, "negatives"));
        try (Engine engine = io.engine.open()) {
            io.write(b.build().run(engine, io.readData(), io.readQueries()));
        }
        return 0;
    }
}
