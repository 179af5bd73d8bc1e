package io.kgen.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import io.kgen.sampling.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kgen experiment heldout --small`: every method on every set, the files, and what the numbers must show. */
class HeldoutExperimentTest {
    @Test
    void smallSetting(@TempDir Path dir) throws Exception {
        Table t;
        try (Engine engine = Engine.open(Backend.CPU)) {
            long start = System.nanoTime();
            t = new HeldoutExperiment().run(new Settings(engine, dir, 1, true));
            System.out.printf("heldout (small, CPU) in %.1f s%n%s%n", (System.nanoTime() - start) / 1e9, t.markdown());
        }
        int methods = Method.values().length;
        assertEquals(2 * (1 + 2 * methods), t.rowCount(), "per set: the training row, then 2 factors per method");
        assertTrue(Files.size(dir.resolve("heldout.csv")) > 0);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.filter(p -> p.getFileName().toString().startsWith("heldout-frontier-")).count());
        }
        for (int r = 0; r < t.rowCount(); r++) {
            assertEquals(t.cell(r - r % (1 + 2 * methods), "MMD^2 floor"), t.cell(r, "MMD^2 floor"), "one floor per set");
        }
        // Swiss roll, sde stopped at 0.3 spacings: copies of training points.
        int sde = row(t, "swiss-roll", "sde", 0);
        assertTrue(value(t, sde, "memorization ratio") > 0.5, "sde memorization " + t.cell(sde, "memorization ratio"));
        assertTrue(value(t, sde, "NN ratio") < 0.1, "sde NN ratio " + t.cell(sde, "NN ratio"));
        // The KDE at 1 Silverman bandwidth: new points, farther from the training set than real held-out ones.
        int kde = row(t, "swiss-roll", "kde", 1);
        assertTrue(value(t, kde, "memorization ratio") < 0.2, "kde memorization " + t.cell(kde, "memorization ratio"));
        assertTrue(value(t, kde, "NN ratio") > 1, "kde NN ratio " + t.cell(kde, "NN ratio"));
        // More smoothing, fewer copies: sde-smoothed at 0.7 Silverman against sde run nearly to the end.
        int smoothed = row(t, "mnist", "sde-smoothed", 1);
        assertTrue(value(t, smoothed, "memorization ratio") < value(t, row(t, "mnist", "sde", 0), "memorization ratio"));
    }

    /** The row of a set's method at its i-th swept factor. */
    private static int row(Table t, String data, String method, int i) {
        for (int r = 0; r < t.rowCount(); r++) {
            if (t.cell(r, "data").equals(data) && t.cell(r, "method").equals(method)) return r + i;
        }
        throw new AssertionError(data + " / " + method + " not in the table");
    }

    private static double value(Table t, int row, String column) {
        return Double.parseDouble(t.cell(row, column));
    }
}
