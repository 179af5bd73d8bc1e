package io.kgen.experiments;

/**
 * One of the papers' experiments, reproduced end to end: runs, writes its tables (CSV and
 * Markdown) and PNG plots into {@code settings.out()}, and returns the main table.
 */
public interface Experiment {
    /** The name on the command line: {@code kgen experiment <name>}. */
    String name();

    /** One line: what it shows and which paper claim it checks. */
    String description();

    Table run(Settings settings) throws Exception;
}
