package io.kgen.bench;

import io.kgen.Backend;
import io.kgen.CpuOptions;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.RandomStream;
import io.kgen.cli.Main;
import io.kgen.data.Mnist;
import io.kgen.io.MatrixFiles;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * kgen's CPU fast path against the NumPy score {@code w = softmax(logits); (w @ y - x) / h^2}
 * (bench/peer/numpy_score.py, float32, NumPy's BLAS) on the same float32 inputs in one run, then
 * two whole jobs: the default {@code ./kgen} run and 100 MNIST samples over 100 steps. Prints a
 * Markdown table: ms (median) each, the ratio, pairs/s and GFLOP/s at 4d flops per pair (x.y and
 * P.Y, what the BLAS form does), and each side's error ||s - s64|| / ||s64|| against a float64
 * score (NumPy's float64, or kgen's reference path where NumPy is absent).
 *
 * <pre>
 * java -cp ... io.kgen.bench.CpuBench --out bench/RESULTS-cpu-table.md
 * </pre>
 */
@Command(name = "cpu-bench", mixinStandardHelpOptions = true)
public final class CpuBench implements Callable<Integer> {
    @Option(names = "--repeats", description = "timed runs per shape, each side (default: ${DEFAULT-VALUE})")
    int repeats = 3;

    @Option(names = "--threads", description = "kgen CPU threads (default: every hardware thread)")
    Integer threads;

    @Option(names = "--python", description = "the Python with NumPy (default: ${DEFAULT-VALUE})")
    String python = "python3";

    @Option(names = "--skip-jobs", description = "only the score shapes, not the two sampling jobs")
    boolean skipJobs;

    @Option(names = "--out", description = "also write the table to this file")
    Path out;

    /** One score shape: queries and data, and the bandwidth. */
    record Shape(String name, FloatMatrix x, FloatMatrix y, double h) {}

    @Override
    public Integer call() throws Exception {
        CpuOptions options = threads == null ? CpuOptions.defaults() : CpuOptions.defaults().withThreads(threads);
        List<String> rows = new ArrayList<>();
        rows.add("| case (M, N, d, h) | kgen ms | NumPy ms | NumPy / kgen | kgen pairs/s | kgen GFLOP/s | kgen error | NumPy error |");
        rows.add("|---|---|---|---|---|---|---|---|");
        Path work = Files.createTempDirectory("kgen-cpu-bench");
        try (Engine engine = Engine.cpu(options)) {
            System.out.println("kgen: " + engine.describe());
            rows.addAll(tinyCallRows(engine));
            System.out.println(rows.get(rows.size() - 2) + "\n" + rows.get(rows.size() - 1));
            for (Shape shape : shapes()) {
                String row = scoreRow(engine, shape, work);
                System.out.println(row);
                rows.add(row);
            }
            if (!skipJobs) {
                rows.add(defaultJobRow());
                System.out.println(rows.get(rows.size() - 1));
                rows.add(mnistJobRow(engine));
                System.out.println(rows.get(rows.size() - 1));
            }
        }
        String table = String.join("\n", rows) + "\n";
        System.out.println();
        System.out.print(table);
        if (out != null) Files.writeString(out, table);
        return 0;
    }

    static List<Shape> shapes() {
        FloatMatrix digits = Mnist.load().images(0, 10_000);
        // Queries near the digits, as in a sampler's last steps: 1,000 digits plus N(0, 0.2^2) noise.
        FloatMatrix nearDigits = digits.copyRows(0, 1000);
        FloatMatrix noise = normal(1000, 784, 7);
        for (long i = 0; i < nearDigits.rows(); i++)
            for (int k = 0; k < 784; k++) nearDigits.set(i, k, nearDigits.get(i, k) + 0.2f * noise.get(i, k));
        return List.of(
                new Shape("(2000, 10000, 2, 0.05)", normal(2000, 2, 1), normal(10_000, 2, 2), 0.05),
                new Shape("(2000, 5000, 16, 0.5)", normal(2000, 16, 3), normal(5000, 16, 4), 0.5),
                new Shape("(1000, 10000, 784, 2.0) MNIST", nearDigits, digits, 2.0),
                new Shape("(1000, 10000, 784, 0.5) MNIST, sparse weights", nearDigits, digits, 0.5),
                new Shape("(500, 5000, 3072, 28) N(0, I)", normal(500, 3072, 5), normal(5000, 3072, 6), 28.0));
    }

    private String scoreRow(Engine engine, Shape s, Path work) throws Exception {
        long m = s.x().rows();
        long n = s.y().rows();
        int d = s.x().cols();
        KernelSum spec = KernelSum.gaussian(s.h());
        FloatMatrix score = FloatMatrix.heap(m, d);
        double[] ms = KernelSumBench.time(() -> engine.score(spec, s.x(), s.y(), score), repeats);
        Path x = work.resolve("x.npy"), y = work.resolve("y.npy"), s32 = work.resolve("s32.npy"), s64 = work.resolve("s64.npy");
        MatrixFiles.write(x, s.x());
        MatrixFiles.write(y, s.y());
        double numpyMs = Double.NaN;
        FloatMatrix numpyScore = null;
        FloatMatrix reference;
        Process peer = new ProcessBuilder(python, "bench/peer/numpy_score.py", x.toString(), y.toString(),
                Double.toString(s.h()), "--repeats", Integer.toString(repeats), "--out", s32.toString(),
                "--reference", s64.toString()).redirectErrorStream(true).start();
        String output = new String(peer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher timing = Pattern.compile("ms ([0-9.]+) ").matcher(output);
        Matcher negligible = Pattern.compile("negligible ([0-9.]+)").matcher(output);
        String name = s.name();
        if (peer.waitFor() == 0 && timing.find()) {
            numpyMs = Double.parseDouble(timing.group(1));
            if (negligible.find()) {
                name += String.format(Locale.ROOT, " (%.1f%% of weights < 1e-12 of the row max)",
                        100 * Double.parseDouble(negligible.group(1)));
            }
            numpyScore = MatrixFiles.read(s32);
            reference = MatrixFiles.read(s64);
        } else {
            System.out.println("NumPy peer unavailable (" + output.strip() + "): float64 from kgen's reference path");
            try (Engine ref = Engine.cpu(CpuOptions.defaults().withPath(CpuOptions.Path.REFERENCE))) {
                reference = ref.score(spec, s.x(), s.y());
            }
        }
        double kgenMs = KernelSumBench.median(ms);
        double pairsPerSecond = m * n / (kgenMs / 1e3);
        return String.format(Locale.ROOT, "| %s | %.1f | %s | %s | %.3g | %.1f | %.1e | %s |", name, kgenMs,
                Double.isNaN(numpyMs) ? "-" : String.format(Locale.ROOT, "%.1f", numpyMs),
                Double.isNaN(numpyMs) ? "-" : String.format(Locale.ROOT, "%.2fx", numpyMs / kgenMs), pairsPerSecond,
                pairsPerSecond * 4.0 * d / 1e9, relativeError(score, reference),
                numpyScore == null ? "-" : String.format(Locale.ROOT, "%.1e", relativeError(numpyScore, reference)));
    }

    /**
     * Per-call cost of a 1 x 1 x 1 score (median of 2,000), checks included: on host arrays (each
     * staged through context memory and copied back) and on context matrices.
     */
    private static List<String> tinyCallRows(Engine engine) {
        FloatMatrix one = FloatMatrix.wrap(1, 1, new float[] {0.5f});
        FloatMatrix score = FloatMatrix.heap(1, 1);
        KernelSum spec = KernelSum.gaussian(1.0);
        double host = KernelSumBench.median(KernelSumBench.time(() -> engine.score(spec, one, one, score), 2000));
        double context;
        try (DeviceMatrix x = engine.upload(one); DeviceMatrix out = engine.allocate(1, 1)) {
            context = KernelSumBench.median(KernelSumBench.time(() -> engine.score(spec, x, x, out), 2000));
        }
        return List.of(String.format(Locale.ROOT, "| (1, 1, 1) tiny call, host arrays | %.4f | - | - | - | - | - | - |", host),
                String.format(Locale.ROOT, "| (1, 1, 1) tiny call, context matrices | %.4f | - | - | - | - | - | - |", context));
    }

    /** The default ./kgen job (sample with its defaults), timed as the command reports it. */
    private static String defaultJobRow() throws IOException {
        Path work = Files.createTempDirectory("kgen-default-job");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Main.execute("sample", "--quiet", "--backend", "CPU", "--out", work.resolve("x.npy").toString(), "--plot",
                    work.resolve("x.png").toString());
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        Matcher seconds = Pattern.compile("samples in ([0-9.]+) s").matcher(log);
        String time = seconds.find() ? String.format(Locale.ROOT, "%.0f", 1e3 * Double.parseDouble(seconds.group(1))) : "failed";
        return "| default job (`./kgen`: sde-smoothed, 1000 samples, 2000 points, 500 steps) | " + time
                + " | - | - | - | - | - | - |";
    }

    /** 100 MNIST samples against the 10,000 built-in digits, reverse SDE with the empirical score, 100 steps. */
    private static String mnistJobRow(Engine engine) {
        FloatMatrix digits = Mnist.load().images(0, 10_000);
        ReverseSde.builder().score(new ScoreEstimator.Empirical()).steps(2).seed(3).build().sample(engine, digits, 8);
        long start = System.nanoTime();
        ReverseSde.builder().score(new ScoreEstimator.Empirical()).steps(100).seed(3).build().sample(engine, digits, 100);
        double msTaken = (System.nanoTime() - start) / 1e6;
        return String.format(Locale.ROOT, "| MNIST job (100 samples x 10000 digits, 100 steps) | %.0f | - | - | %.3g | - | - | - |",
                msTaken, 100.0 * 10_000 * 100 / (msTaken / 1e3));
    }

    static FloatMatrix normal(int rows, int cols, long stream) {
        FloatMatrix m = FloatMatrix.heap(rows, cols);
        try (Engine cpu = Engine.open(Backend.CPU)) {
            cpu.fillNormal(m, RandomStream.of(2026, stream));
        }
        return m;
    }

    static double relativeError(FloatMatrix got, FloatMatrix want) {
        double num = 0, den = 0;
        float[] g = got.toArray(), w = want.toArray();
        for (int i = 0; i < w.length; i++) {
            num += ((double) g[i] - w[i]) * ((double) g[i] - w[i]);
            den += (double) w[i] * w[i];
        }
        return Math.sqrt(num / den);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new CpuBench()).execute(args));
    }
}
