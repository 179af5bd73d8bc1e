package io.kgen.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Backend;
import io.kgen.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The DKGM and drifting experiments in the small setting: their tables, files and the behaviour they show. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DkgmAndDriftingExperimentTest {
    private static final long SEED = 1; // the command line's default: the tables in the report are these
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
    void dkgm(@TempDir Path dir) throws Exception {
        Table t = run(new DkgmExperiment(), dir);
        // training-digit reference, then per h in {1, 2} x Silverman: kde-only and noise {0, 1}
        assertEquals(7, t.rowCount());
        assertEquals(List.of("training digits", "kde-only", "debiased", "debiased", "kde-only", "debiased", "debiased"),
                column(t, "stage"));
        assertFiles(dir, "dkgm", 6); // a kde-only grid per h, a debiased grid per (h, noise)
        double data = value(t, 0, "gradient energy");
        for (int kde : new int[] {1, 4}) {
            double h = value(t, kde, "h");
            double blurred = value(t, kde, "gradient energy");
            // Stage 1 adds pixel noise of std h: about 4 h^2 of gradient energy on top of the data's.
            assertEquals(4 * h * h, blurred - data, 0.25 * 4 * h * h, "kde-only gradient energy at h = " + h);
            for (int r = kde + 1; r <= kde + 2; r++) {
                double sharp = value(t, r, "gradient energy");
                // Not "debiased above kde-only": in pixel space the KDE samples are noisy, not blurred,
                // and the noise is what raises their gradient energy. Stage 2 removes most of it:
                // measured, nearly all with noise 0, about 3/4 with noise 1 (the time-shift score
                // leaves noise of std about h/2). Doing nothing would leave all of it.
                assertTrue(Math.abs(sharp - data) < 0.5 * (blurred - data),
                        "gradient energy: data " + data + ", kde-only " + blurred + ", debiased " + sharp + " (h = " + h + ")");
                assertTrue(value(t, r, "median NN to held-out") < value(t, kde, "median NN to held-out"),
                        "debiased samples are nearer to held-out digits than kde-only ones (row " + r + ")");
            }
        }
    }

    @Test
    void drifting(@TempDir Path dir) throws Exception {
        Table t = run(new DriftingExperiment(), dir);
        // curves: 2 data sets x 3 fields; rate: M in {50, 100, 200}
        assertEquals(9, t.rowCount());
        assertEquals(List.of("curves", "curves", "curves", "curves", "curves", "curves", "rate", "rate", "rate"),
                column(t, "part"));
        assertEquals(List.of("swiss-roll", "swiss-roll", "swiss-roll", "mnist", "mnist", "mnist", "swiss-roll", "swiss-roll",
                "swiss-roll"), column(t, "data"));
        assertEquals(List.of("laplace", "gaussian-gradient", "laplace-batch"), column(t, "field").subList(0, 3));
        // 2 x (energy + nearest curves) + 3 roll scatters + 3 MNIST grids + the rate plot
        assertFiles(dir, "drifting", 11);
        for (int r = 0; r < 3; r++) {
            double first = value(t, r, "energy distance first chunk");
            double last = value(t, r, "energy distance final");
            assertTrue(last < first, t.cell(r, "field") + " on the roll: energy distance " + first + " -> " + last);
        }
        for (int r = 6; r < 9; r++) {
            assertTrue(value(t, r, "energy distance final") > 0, "error at M = " + t.cell(r, "particles M"));
            assertTrue(Double.isFinite(value(t, r, "log-log slope")), "slope " + t.cell(r, "log-log slope"));
            assertEquals(-1.0 / 6, value(t, r, "reference slope"), 1e-3);
        }
    }

    private Table run(Experiment experiment, Path dir) throws Exception {
        long start = System.nanoTime();
        Table t = experiment.run(new Settings(engine, dir, SEED, true));
        System.out.printf("%s (small, CPU) in %.1f s%n%s%n", experiment.name(), (System.nanoTime() - start) / 1e9, t.markdown());
        return t;
    }

    private static void assertFiles(Path dir, String name, int pngs) throws IOException {
        assertTrue(Files.size(dir.resolve(name + ".csv")) > 0, name + ".csv");
        assertTrue(Files.size(dir.resolve(name + ".md")) > 0, name + ".md");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> png = files.filter(p -> p.getFileName().toString().endsWith(".png")).toList();
            assertEquals(pngs, png.size(), "PNG files: " + png);
            for (Path p : png) assertTrue(Files.size(p) > 0, p + " is empty");
        }
    }

    private static List<String> column(Table t, String column) {
        return java.util.stream.IntStream.range(0, t.rowCount()).mapToObj(r -> t.cell(r, column)).toList();
    }

    private static double value(Table t, int row, String column) {
        return Double.parseDouble(t.cell(row, column));
    }
}
