package io.kgen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The {@code kgen} command. Without a subcommand it runs {@code sample} with its defaults. */
@Command(name = "kgen", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Sampling from data with kernel methods on NVIDIA GPUs (CPU when none).",
        subcommands = {SampleCommand.class, ScoreCommand.class, KdeCommand.class, DriftCommand.class,
            ExperimentCommand.class, BandwidthCommand.class, DataCommand.class, InfoCommand.class, HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns its exit code: 0 done, 2 bad input or an unreadable or
     * unwritable file (one line on stderr), 1 a fault of kgen (with its stack).
     */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            // One readable line for what the user can fix; the stack only for kgen's own faults.
            if (e instanceof IllegalArgumentException || e instanceof io.kgen.KgenException
                    || e instanceof java.io.IOException) {
                line.getErr().println("kgen: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        // What slips past the up-front memory estimates: one line and a way out, not a stack.
        try {
            return run(cli, args);
        } catch (OutOfMemoryError e) {
            System.err.println("kgen: out of Java heap (" + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): use "
                    + "smaller sizes or a larger heap (KGEN_JAVA_OPTS=-Xmx8g ./kgen ...)");
            return 2;
        }
    }

    /** No subcommand means `sample`, with or without its options (`kgen -s 100` samples 100). */
    private static int run(CommandLine cli, String... args) {
        boolean ownOption = args.length > 0 && java.util.List.of("-h", "--help", "-V", "--version").contains(args[0]);
        if (args.length == 0 || (args[0].startsWith("-") && !ownOption)) {
            String[] sample = new String[args.length + 1];
            sample[0] = "sample";
            System.arraycopy(args, 0, sample, 1, args.length);
            return cli.execute(sample);
        }
        return cli.execute(args);
    }
}
