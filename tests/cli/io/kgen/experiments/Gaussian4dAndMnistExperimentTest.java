package io.kgen.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gaussian-4d and mnist experiments in the small setting on the CPU: their tables and files,
 * and the behaviour they exist to show (the empirical score memorizes, the smoothed one less).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Gaussian4dAndMnistExperimentTest {
    private static final long SEED = 1;
    private Engine engine;

    @BeforeAll
    void open() {
        engine = Engine.open(Backend.CPU);
    }

    @AfterAll
    void close() {
        engine.close();
    }

    @Test
    void gaussian4d(@TempDir Path out) throws Exception {
        Table table = timed(new Gaussian4dExperiment(), out);
        assertEquals(6, table.rowCount(), "3 sizes x 2 scores");
        assertFiles(out, "gaussian-4d.csv", "gaussian-4d.md", "gaussian-4d-kl.png", "gaussian-4d-neff.png");
        for (int r = 0; r < table.rowCount(); r++) {
            assertTrue(Double.parseDouble(table.cell(r, "KL to truth")) > 0, "row " + r);
            assertTrue(Double.parseDouble(table.cell(r, "N_eff")) >= 10, "row " + r);
        }
        double empirical = memorization(table, "100", "empirical");
        double smoothed = memorization(table, "100", "time-shift 0.2");
        assertTrue(empirical > 0.9, "the empirical score should memorize at N = 100: " + empirical);
        assertTrue(smoothed < empirical, "smoothed " + smoothed + " vs empirical " + empirical);
    }

    @Test
    void mnist(@TempDir Path out) throws Exception {
        Table table = timed(new MnistExperiment(), out);
        assertEquals(2, table.rowCount(), "empirical and one smoothed score");
        assertFiles(out, "mnist.csv", "mnist.md", "mnist-empirical-samples.png", "mnist-empirical-nearest.png",
                "mnist-time-shift-0.5-silverman-samples.png", "mnist-time-shift-0.5-silverman-nearest.png");
        double empirical = memorization(table, "500", "empirical");
        assertTrue(empirical > 0.5, "the empirical score should memorize: " + empirical);
        List<Double> smoothed = new ArrayList<>();
        for (int r = 0; r < table.rowCount(); r++) {
            if (!table.cell(r, "score").equals("empirical")) smoothed.add(Double.parseDouble(table.cell(r, "memorization ratio")));
        }
        assertTrue(smoothed.stream().anyMatch(m -> m < empirical), "smoothed " + smoothed + " vs empirical " + empirical);
    }

    private Table timed(Experiment experiment, Path out) throws Exception {
        long start = System.nanoTime();
        Table table = experiment.run(new Settings(engine, out, SEED, true));
        System.out.printf("[%s] small setting: %.1f s%n%s", experiment.name(), (System.nanoTime() - start) / 1e9, table.markdown());
        return table;
    }

    private static double memorization(Table table, String n, String score) {
        for (int r = 0; r < table.rowCount(); r++) {
            if (table.cell(r, "N").equals(n) && table.cell(r, "score").equals(score)) {
                return Double.parseDouble(table.cell(r, "memorization ratio"));
            }
        }
        throw new AssertionError("no row N = " + n + ", score = " + score + " in\n" + table.markdown());
    }

    private static void assertFiles(Path out, String... names) throws Exception {
        for (String name : names) {
            Path file = out.resolve(name);
            assertTrue(Files.isRegularFile(file) && Files.size(file) > 0, "missing or empty: " + file);
        }
    }
}
