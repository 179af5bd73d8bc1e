package io.kgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import io.kgen.io.MatrixFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line a user expects: options a method would ignore are refused, -h is help
 * everywhere, enum values in any case, `kgen help`, `kgen data`, and sizes beyond the heap named
 * before anything is allocated.
 */
class CommandLineOptionsTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream savedOut = System.out, savedErr = System.err;
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            return new Run(Main.execute(args), out.toString(), err.toString());
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @Test
    void optionsAMethodWouldIgnoreAreRefused() {
        String[][] cases = {
            {"sde-smoothed", "--bandwidth", "0.3", "--bandwidth does nothing with -m sde-smoothed"},
            {"kde", "--steps", "5", "--steps does nothing with -m kde"},
            {"kde", "--ode", null, "--ode does nothing with -m kde"},
            {"sde-smoothed", "--draws", "4", "--draws does nothing with -m sde-smoothed"},
            {"drift-laplace", "--sigma", "0.1", "--sigma does nothing with -m drift-laplace"},
            {"sde", "--sigma", "0.1", "--sigma does nothing with -m sde"},
            {"drift-batch", "--bandwidth", "0.1", "--bandwidth does nothing with -m drift-batch"},
            {"sde-smoothed", "--final-noise", "0.5", "--final-noise does nothing with -m sde-smoothed"},
            {"kde", "--process", "ou", "--process does nothing with -m kde"},
            {"drift-gradient", "--process", "ou", "--process does nothing with -m drift-gradient"},
            {"sde-mc", "--window", "3", "--window does nothing with -m sde-mc"},
        };
        for (String[] c : cases) {
            Run r = c[2] == null
                    ? run("sample", "-m", c[0], c[1], "--backend", "CPU", "--quiet", "--no-plot", "-o", dir.resolve("x.npy").toString())
                    : run("sample", "-m", c[0], c[1], c[2], "--backend", "CPU", "--quiet", "--no-plot", "-o",
                            dir.resolve("x.npy").toString());
            assertEquals(2, r.code(), String.join(" ", c[0], c[1]));
            assertTrue(r.err().startsWith("kgen: " + c[3]), r.err());
        }
        Run twice = run("sample", "-m", "kde", "--smoothing", "0.5", "--bandwidth", "0.1", "--no-plot", "-o",
                dir.resolve("x.npy").toString());
        assertEquals(2, twice.code());
        assertTrue(twice.err().startsWith("kgen: --smoothing and --bandwidth set the same knob: give one"), twice.err());
        Run negative = run("sample", "-m", "kde", "--smoothing", "-1", "--no-plot", "-o", dir.resolve("x.npy").toString());
        assertEquals(2, negative.code());
        assertTrue(negative.err().contains("--smoothing must be positive and finite, got -1.0"), negative.err());
        Run narrow = run("sample", "-m", "sde-spacetime", "--window", "0.5", "--no-plot", "-o", dir.resolve("x.npy").toString());
        assertEquals(2, narrow.code());
        assertTrue(narrow.err().contains("--window must be >= 1 and finite, got 0.5"), narrow.err());
        Run unknown = run("sample", "-m", "sde", "--process", "vp", "--no-plot", "-o", dir.resolve("x.npy").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown process 'vp' (brownian, ou)"), unknown.err());
        Run zero = run("sample", "-m", "dkgm", "--steps", "0", "--no-plot", "-o", dir.resolve("x.npy").toString());
        assertEquals(2, zero.code());
        assertTrue(zero.err().contains("--steps must be >= 1, got 0"), zero.err());
    }

    @Test
    void dashHIsHelpAndTheBandwidthIsDashB() {
        for (String command : new String[] {"score", "kde", "drift", "sample", "data"}) {
            Run r = run(command, "-h");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().contains("Usage: kgen " + command), command + ": " + r.out());
        }
        assertTrue(run("kde", "-h").out().contains("-b, --bandwidth"));
        Run help = run("help", "score");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Usage: kgen score"), help.out());
    }

    @Test
    void optionsWithoutASubcommandGoToSample() throws Exception {
        Path out = dir.resolve("default.npy");
        Run r = run("-m", "kde", "-s", "3", "-n", "40", "--backend", "CPU", "--quiet", "--no-plot", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(3, MatrixFiles.read(out).rows());
        assertTrue(run("-h").out().contains("Usage: kgen [-hV] [COMMAND]"), "kgen's own help stays kgen's");
    }

    @Test
    void enumValuesTakeAnyCase() throws Exception {
        Path out = dir.resolve("x.npy");
        Run r = run("sample", "-m", "kde", "-s", "5", "-n", "50", "--backend", "cpu", "--quiet", "--no-plot", "-o",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(5, MatrixFiles.read(out).rows());
    }

    @Test
    void builtInDataIsWrittenOnRequest() throws Exception {
        Path out = dir.resolve("moons.csv");
        Run r = run("data", "two-moons", "-n", "37", "--seed", "4", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        FloatMatrix written = MatrixFiles.read(out);
        FloatMatrix drawn = Dataset.TWO_MOONS.sample(37, 4);
        assertEquals(37, written.rows());
        assertEquals(java.util.Arrays.toString(drawn.toArray()), java.util.Arrays.toString(written.toArray()));
    }

    @Test
    void float64OutputIsANumpyFloat64File() throws Exception {
        Path out = dir.resolve("x64.npy");
        Run r = run("sample", "-m", "kde", "-s", "4", "-n", "50", "--backend", "CPU", "--quiet", "--no-plot", "--float64",
                "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        String header = new String(java.nio.file.Files.readAllBytes(out), 0, 80, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'descr': '<f8'"), header);
        assertEquals(4, MatrixFiles.read(out).rows());
    }

    @Test
    void weightsFromAFileAreTheEnginesWeights() throws Exception {
        Path data = dir.resolve("d.csv"), w = dir.resolve("w.csv"), out = dir.resolve("kde.npy");
        java.nio.file.Files.writeString(data, "0,0\n1,0\n0,2\n");
        java.nio.file.Files.writeString(w, "1\n0\n3\n");
        Run r = run("kde", "-q", data.toString(), "--data", data.toString(), "-b", "0.7", "--weights", w.toString(),
                "--backend", "CPU", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        FloatMatrix points = MatrixFiles.read(data);
        try (io.kgen.Engine engine = io.kgen.Engine.open(io.kgen.Backend.CPU)) {
            FloatMatrix want = engine.logDensity(io.kgen.KernelSum.gaussian(0.7).withWeights(1, 0, 3), points, points);
            assertEquals(java.util.Arrays.toString(want.toArray()), java.util.Arrays.toString(MatrixFiles.read(out).toArray()));
        }
        Run drift = run("drift", "-q", data.toString(), "--data", data.toString(), "-b", "0.7", "--weights", w.toString(),
                "--backend", "CPU", "-o", dir.resolve("m.npy").toString());
        assertEquals(2, drift.code());
        assertTrue(drift.err().contains("--weights: drift takes no data weights"), drift.err());
    }

    @Test
    void bandwidthTakesTheUsersData() throws Exception {
        Path data = dir.resolve("d.npy");
        MatrixFiles.write(data, Dataset.GAUSSIAN_MIXTURE.sample(300, 2));
        Run r = run("bandwidth", "--data", data.toString(), "--grid", "5", "--backend", "CPU");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("bandwidth on " + data + " (300 x 2)"), r.out());
        assertTrue(r.out().contains("best h = "), r.out());
    }

    @Test
    void sizesBeyondTheHeapAreNamedBeforeAllocating() {
        Run samples = run("sample", "-m", "kde", "-s", "1000000000", "--backend", "CPU", "--quiet", "--no-plot", "-o",
                dir.resolve("x.npy").toString());
        assertEquals(2, samples.code());
        assertTrue(samples.err().startsWith("kgen: -s 1000000000 with 2-d data needs about "), samples.err());
        assertTrue(samples.err().contains("KGEN_JAVA_OPTS=-Xmx"), samples.err());
        Run points = run("sample", "-n", "2000000000", "--backend", "CPU", "--quiet", "--no-plot", "-o",
                dir.resolve("x.npy").toString());
        assertEquals(2, points.code());
        assertTrue(points.err().startsWith("kgen: -n 2000000000 needs about "), points.err());
    }
}
