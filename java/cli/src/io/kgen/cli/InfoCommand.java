package io.kgen.cli;

import io.kgen.Engine;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Backend, device, driver and compiled CUDA architectures.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    EngineOptions engineOptions;

    @Override
    public Integer call() {
        System.out.println("native library:        " + Engine.buildInfo());
        System.out.println("needs at least:        " + io.kgen.NativeFloor.describe());
        System.out.println("CUDA backend compiled: " + (Engine.cudaCompiled() ? "yes" : "no"));
        System.out.println("CUDA devices usable:   " + Engine.cudaDeviceCount());
        try (Engine engine = engineOptions.open()) {
            System.out.println("engine:                " + engine.describe());
        }
        return 0;
    }
}
