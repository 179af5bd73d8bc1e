package io.kgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import io.kgen.io.MatrixFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kgen command end to end on the CPU: files written, errors as one line with exit code 2. */
class CommandLineTest {
    @TempDir
    Path dir;

    @Test
    void sampleWritesSamplesAndAPicture() throws Exception {
        for (String method : new String[] {"sde", "sde-smoothed", "sde-mc", "sde-spacetime", "kde", "dkgm", "drift-laplace", "drift-gradient", "drift-batch"}) {
            Path out = dir.resolve(method + ".npy");
            Path png = dir.resolve(method + ".png");
            String steps = method.equals("kde") ? "--seed=0" : "--steps=20";  // kde takes no steps
            int code = Main.execute("sample", "--method", method, "-n", "300", "--samples", "50", steps,
                    "--backend", "CPU", "--quiet", "--out", out.toString(), "--plot", png.toString());
            assertEquals(0, code, method);
            FloatMatrix x = MatrixFiles.read(out);
            assertEquals(50, x.rows(), method);
            assertEquals(2, x.cols(), method);
            for (float v : x.toArray()) assertTrue(Float.isFinite(v), method + " wrote " + v);
            assertTrue(Files.size(png) > 1000, method + ": picture");
        }
    }

    /** The sde methods under the Ornstein-Uhlenbeck process: finite samples of the data's shape. */
    @Test
    void sdeMethodsRunWithTheOuProcess() throws Exception {
        for (String method : new String[] {"sde", "sde-smoothed", "sde-mc", "sde-spacetime"}) {
            Path out = dir.resolve("ou-" + method + ".npy");
            int code = Main.execute("sample", "--method", method, "--process", "ou", "-n", "300", "--samples", "50",
                    "--steps=20", "--backend", "CPU", "--quiet", "--no-plot", "--out", out.toString());
            assertEquals(0, code, method);
            FloatMatrix x = MatrixFiles.read(out);
            assertEquals(50, x.rows(), method);
            for (float v : x.toArray()) assertTrue(Float.isFinite(v), method + " wrote " + v);
        }
    }

    @Test
    void primitivesReadAndWriteFiles() throws Exception {
        Path data = dir.resolve("data.csv");
        Files.writeString(data, "x,y\n0,0\n1,0\n0,1\n1,1\n");
        Path score = dir.resolve("score.npy");
        assertEquals(0, Main.execute("score", "-q", data.toString(), "--data", data.toString(), "-b", "0.5",
                "--backend", "CPU", "-o", score.toString()));
        FloatMatrix s = MatrixFiles.read(score);
        assertEquals(4, s.rows());
        // By symmetry the score at the corner (0, 0) points into the square.
        assertTrue(s.get(0, 0) > 0 && s.get(0, 1) > 0);
        Path kde = dir.resolve("kde.csv");
        assertEquals(0, Main.execute("kde", "-q", data.toString(), "--data", data.toString(), "-b", "0.5",
                "--leave-one-out", "--backend", "CPU", "-o", kde.toString()));
        assertEquals(4, MatrixFiles.read(kde).rows());
        Path drift = dir.resolve("drift.npy");
        assertEquals(0, Main.execute("drift", "-q", data.toString(), "--data", data.toString(), "-b", "0.5",
                "--backend", "CPU", "-o", drift.toString()));
        assertEquals(2, MatrixFiles.read(drift).cols());
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true));
        int code;
        try {
            code = Main.execute("sample", "--method", "gan", "--backend", "CPU", "--quiet", "--plot",
                    dir.resolve("p.png").toString(), "--out", dir.resolve("o.npy").toString(), "-n", "10");
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, code);
        String text = err.toString().trim();
        assertTrue(text.contains("unknown method 'gan'"), text);
        assertEquals(1, text.lines().filter(l -> l.startsWith("kgen: ") && l.contains("gan")).count(), text);
        assertEquals(2, Main.execute("score", "-q", "missing.npy", "--data", "missing.npy", "-b", "1", "-o", "x.npy"));
        assertEquals(2, Main.execute("sample", "--data", "cifar", "--backend", "CPU"));
    }
}
