package io.kgen.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kgen experiment processes --small`: both processes, four sde methods, the files, and what the numbers must show. */
class ProcessesExperimentTest {
    @Test
    void smallSetting(@TempDir Path dir) throws Exception {
        Table t;
        try (Engine engine = Engine.open(Backend.CPU)) {
            long start = System.nanoTime();
            t = new ProcessesExperiment().run(new Settings(engine, dir, 1, true));
            System.out.printf("processes (small, CPU) in %.1f s%n%s%n", (System.nanoTime() - start) / 1e9, t.markdown());
        }
        int perSet = 1 + 2 * 4 * 2; // the training row, then 2 processes x 4 methods x 2 factors
        assertEquals(2 * perSet, t.rowCount());
        assertTrue(Files.size(dir.resolve("processes.csv")) > 0);
        // d = 2, t = 0.05, N = 64, per process: empirical, then 2 factors x 3 smoothed scores.
        java.util.List<String> neff = Files.readAllLines(dir.resolve("processes-neff.csv"));
        System.out.println(String.join("\n", neff));
        assertEquals(1 + 2 * (1 + 2 * 3), neff.size(), String.join("\n", neff));
        // The empirical score run to Brownian time t draws from p_t^N under either process (OU after
        // dividing by e^-t_OU, MATH.md section 8): its KL is the blurred training set's, up to the
        // estimator's scatter, with EffectiveSizeExperimentTest's bound (0.05 + 25%).
        for (int line : new int[] {1, 1 + 1 + 2 * 3}) {
            String[] cells = neff.get(line).split(",");
            assertEquals("empirical", cells[4], neff.get(line));
            double generated = Double.parseDouble(cells[7]), blurredTraining = Double.parseDouble(cells[8]);
            assertEquals(blurredTraining, generated, 0.05 + 0.25 * blurredTraining, cells[3] + " empirical score");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.filter(p -> p.getFileName().toString().startsWith("processes-frontier-")).count());
        }
        // The empirical score stopped at 0.3 spacings copies training points under either process.
        for (String process : new String[] {"brownian", "ou"}) {
            int sde = row(t, "swiss-roll", process, "sde", 0);
            assertTrue(value(t, sde, "memorization ratio") > 0.5, process + " sde memorization " + t.cell(sde, "memorization ratio"));
            assertTrue(value(t, sde, "NN ratio") < 0.1, process + " sde NN ratio " + t.cell(sde, "NN ratio"));
            // Smoothing at 0.7 Silverman bandwidths: fewer copies than the empirical score on MNIST.
            for (String smoothed : new String[] {"sde-smoothed", "sde-spacetime"}) {
                int r = row(t, "mnist", process, smoothed, 1);
                assertTrue(value(t, r, "memorization ratio") < value(t, row(t, "mnist", process, "sde", 0), "memorization ratio"),
                        process + " " + smoothed + " memorization " + t.cell(r, "memorization ratio"));
            }
        }
    }

    /** The row of a set's process and method at its i-th swept factor. */
    private static int row(Table t, String data, String process, String method, int i) {
        for (int r = 0; r < t.rowCount(); r++) {
            if (t.cell(r, "data").equals(data) && t.cell(r, "process").equals(process) && t.cell(r, "method").equals(method)) {
                return r + i;
            }
        }
        throw new AssertionError(data + " / " + process + " / " + method + " not in the table");
    }

    private static double value(Table t, int row, String column) {
        return Double.parseDouble(t.cell(row, column));
    }
}
