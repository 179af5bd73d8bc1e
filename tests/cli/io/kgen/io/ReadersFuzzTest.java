package io.kgen.io;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The .npy and CSV readers, and the numeric options of `kgen sample`, under Jazzer, a
 * coverage-guided fuzzer: whatever the bytes, a reader
 * returns a matrix or throws its own IOException (or IllegalArgumentException) with a message,
 * never anything else (no StackOverflowError, no OutOfMemoryError from a hostile size, no
 * unchecked exception from deep inside), and never hangs.
 *
 * <p>In the default build this runs the corpus beside it (tests/resources/.../ReadersFuzzTestInputs)
 * and every input that once failed; with JAZZER_FUZZ=1 it fuzzes for maxDuration and adds what it
 * finds to that corpus (the `fuzz` execution in pom.xml runs 30 s of that on every build).
 */
class ReadersFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void readersThrowOnlyTheirOwnErrors(FuzzedDataProvider data) throws IOException {
        if (data.consumeInt(0, 3) == 0) {
            String option = OPTIONS[data.consumeInt(0, OPTIONS.length - 1)];
            numericOptionParsesOrSaysWhy(option, data.consumeRemainingAsString());
            return;
        }
        boolean npy = data.consumeBoolean();
        byte[] bytes = data.consumeRemainingAsBytes();
        Path file = Files.createTempFile("kgen-fuzz", npy ? ".npy" : ".csv");
        try {
            Files.write(file, bytes);
            try {
                var m = npy ? Npy.read(file) : Csv.read(file);
                if (m.rows() < 0 || m.cols() < 0) throw new AssertionError("negative shape " + m.rows() + " x " + m.cols());
            } catch (IOException | IllegalArgumentException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("no message", e);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static final String[] OPTIONS = {"-n", "-s", "--steps", "--sigma", "--draws", "--bandwidth", "--seed",
        "--threads", "--axes"};
    // Built once: a command tree costs milliseconds, a parse microseconds.
    private static final picocli.CommandLine COMMAND = new picocli.CommandLine(new io.kgen.cli.Main());

    /** A numeric option of `kgen sample` parses the text or rejects it as a parameter error with a message. */
    private static void numericOptionParsesOrSaysWhy(String option, String text) {
        try {
            COMMAND.parseArgs("sample", option, text);
        } catch (picocli.CommandLine.ParameterException expected) {
            if (expected.getMessage() == null) throw new AssertionError("no message for " + option, expected);
        }
    }
}
