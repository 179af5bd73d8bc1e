package io.kgen.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Swiss-roll experiment's small setting: files written, and the paper's direction of effect. */
class SwissRollExperimentTest {
    @TempDir
    Path dir;

    @Test
    void smoothingLowersMemorizationAtEverySize() throws Exception {
        Table t;
        try (Engine engine = Engine.open(Backend.CPU)) {
            t = new SwissRollExperiment().run(new Settings(engine, dir, 5, true));
        }
        assertEquals(9, t.rowCount()); // 3 sizes x 3 scores
        for (String file : new String[] {"swiss-roll.csv", "swiss-roll.md", "swiss-roll-memorization.png", "swiss-roll-energy.png"}) {
            assertTrue(Files.size(dir.resolve(file)) > 100, file);
        }
        for (int size = 0; size < 3; size++) {
            double empirical = Double.parseDouble(t.cell(3 * size, "memorization ratio"));
            double smoothed = Double.parseDouble(t.cell(3 * size + 2, "memorization ratio"));
            assertTrue(empirical > 0.5, "empirical score memorizes: " + empirical);
            assertTrue(smoothed < empirical / 2, "sigma = 0.05 halves memorization at least: " + smoothed + " vs " + empirical);
        }
    }
}
