package io.kgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** Progress in a log: no line per step, a line at the end, lines that a log reader can read. */
class LogProgressTest {
    @Test
    void aQuickRunPrintsOneLineAtTheEnd() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LogProgress progress = new LogProgress("sde", new PrintStream(bytes, true));
        for (int step = 1; step <= 500; step++) progress.step(step, 500);
        String text = bytes.toString();
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.startsWith("kgen: sde step 500 of 500 (100%), "), text);
        assertTrue(!text.contains("\r"), "no carriage returns in a log");
    }
}
