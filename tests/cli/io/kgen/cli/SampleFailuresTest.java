package io.kgen.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.io.MatrixFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `kgen sample` where it used to fail late or lose files: 1-d data, an output over the input,
 * output folders that do not exist (found before any sampling), picture formats, folders given as
 * data. Each failure is exit code 2 and one line naming the path.
 */
class SampleFailuresTest {
    @TempDir
    Path dir;

    private record Run(int code, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            return new Run(Main.execute(args), err.toString());
        } finally {
            System.setErr(saved);
        }
    }

    private static String[] sample(String... options) {
        String[] base = {"sample", "--backend", "CPU", "--quiet", "-m", "kde", "-s", "20"};
        String[] all = java.util.Arrays.copyOf(base, base.length + options.length);
        System.arraycopy(options, 0, all, base.length, options.length);
        return all;
    }

    private Path oneColumnData() throws Exception {
        Path data = dir.resolve("one.csv");
        Files.writeString(data, "0.5\n1.5\n2.0\n-1.0\n0.25\n3.0\n");
        return data;
    }

    @Test
    void oneDimensionalDataIsSampledWithoutAPicture() throws Exception {
        Path out = dir.resolve("x.npy");
        Run r = run(sample("--data", oneColumnData().toString(), "-o", out.toString(), "--plot",
                dir.resolve("p.png").toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals(1, MatrixFiles.read(out).cols());
        assertTrue(r.err().contains("no picture of 1-d samples"), r.err());
        assertTrue(Files.notExists(dir.resolve("p.png")));
        Run quiet = run(sample("--data", oneColumnData().toString(), "-o", out.toString(), "--no-plot"));
        assertEquals(0, quiet.code(), quiet.err());
        // --quiet still says up front how much work the run is.
        assertTrue(quiet.err().contains("20 samples x 1 steps: about 1.2e+02 pair evaluations"), quiet.err());
        assertTrue(!quiet.err().contains("picture"), quiet.err());
    }

    @Test
    void theOutputMayNotOverwriteTheData() throws Exception {
        Path data = oneColumnData();
        byte[] before = Files.readAllBytes(data);
        Run r = run(sample("--data", data.toString(), "-o", data.toString(), "--no-plot"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("the samples would overwrite the data"), r.err());
        assertArrayEquals(before, Files.readAllBytes(data));
    }

    @Test
    void missingOutputFoldersAreFoundBeforeSampling() {
        Path out = dir.resolve("x.npy");
        Run plot = run(sample("-o", out.toString(), "--plot", dir.resolve("missing/p.png").toString()));
        assertEquals(2, plot.code());
        assertEquals("kgen: " + dir.resolve("missing/p.png") + ": the folder " + dir.resolve("missing")
                + " does not exist (picture)", plot.err().strip());
        assertTrue(Files.notExists(out), "no samples were written before the failure");
        Run samples = run(sample("-o", dir.resolve("gone/x.npy").toString(), "--no-plot"));
        assertEquals(2, samples.code());
        assertTrue(samples.err().startsWith("kgen: " + dir.resolve("gone/x.npy") + ": the folder "), samples.err());
        assertEquals(1, samples.err().strip().lines().count(), samples.err());
    }

    @Test
    void picturesAreWrittenInTheFormatAskedFor() throws Exception {
        Path jpg = dir.resolve("p.jpg");
        Run r = run(sample("-o", dir.resolve("x.npy").toString(), "--plot", jpg.toString()));
        assertEquals(0, r.code(), r.err());
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(jpg), 2);
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xd8}, head, "a JPEG at the path asked for");
        assertTrue(Files.notExists(dir.resolve("p.jpg.png")));
        Run gif = run(sample("-o", dir.resolve("x.npy").toString(), "--plot", dir.resolve("p.gif").toString()));
        assertEquals(2, gif.code());
        assertTrue(gif.err().contains("a picture must be .png, .jpg or .jpeg"), gif.err());
    }

    /** Bad data is blamed as such, not as the bandwidth or time span derived from it. */
    @Test
    void badDataNamesTheRealCause() throws Exception {
        Path out = dir.resolve("x.npy");
        String[][] cases = {
            {"nan.csv", "1,2\n3,nan\n5,6\n", "nan.csv: 1 value(s) are NaN or infinite (or beyond float32's 3.4e38); "
                    + "the first is NaN at row 1, column 1 (both from 0)"},
            {"huge.csv", "1,2\n1e39,4\n5,6\n", "huge.csv: 1 value(s) are NaN or infinite (or beyond float32's 3.4e38); "
                    + "the first is Infinity at row 1, column 0 (both from 0)"},
            {"constant.csv", "2,3\n2,3\n2,3\n", "constant.csv: all 3 points are the same; there is no spread to sample from"},
        };
        for (String[] c : cases) {
            Path data = dir.resolve(c[0]);
            Files.writeString(data, c[1]);
            for (String method : new String[] {"sde", "kde", "drift-laplace"}) {
                Run r = run("sample", "--backend", "CPU", "--quiet", "-m", method, "-s", "5", "--data", data.toString(),
                        "-o", out.toString(), "--no-plot");
                assertEquals(2, r.code(), c[0] + " " + method);
                assertEquals("kgen: " + data + c[2].substring(c[0].length()), r.err().lines()
                        .filter(l -> l.startsWith("kgen: ")).reduce((a, b) -> b).orElse(""), c[0] + " " + method);
            }
        }
        Run one = run(sample("-n", "1", "-o", out.toString(), "--no-plot"));
        assertEquals(2, one.code());
        assertEquals("kgen: swiss-roll: 1 point(s); sampling needs at least 2", one.err().strip());
    }

    /** A step that overflows names the step size, not the (finite) queries it started from. */
    @Test
    void anOverflowingDriftStepNamesTheStepSize() throws Exception {
        Path data = dir.resolve("d.csv"), queries = dir.resolve("q.csv");
        Files.writeString(data, "0,0\n1,0\n0,1\n1,1\n");
        Files.writeString(queries, "20,20\n-20,-20\n");  // finite, and 20 away: a step of 3e38 times that overflows
        Run r = run("drift", "-q", queries.toString(), "--data", data.toString(), "-b", "0.5", "--eta", "3e38",
                "--backend", "CPU", "-o", dir.resolve("moved.npy").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("moved the particles beyond float range (step size eta = 3.0E38): use a smaller eta"),
                r.err());
        assertTrue(Files.notExists(dir.resolve("moved.npy")));
    }

    @Test
    void aFolderGivenAsDataIsNamedSo() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("d.csv"));
        Run r = run(sample("--data", folder.toString(), "-o", dir.resolve("x.npy").toString(), "--no-plot"));
        assertEquals(2, r.code());
        assertEquals("kgen: " + folder + ": is a folder, not a file (data)", r.err().strip());
    }
}
