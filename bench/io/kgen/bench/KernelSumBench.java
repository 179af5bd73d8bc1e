package io.kgen.bench;

import io.kgen.Backend;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.KernelSumOutputs;
import io.kgen.KernelSums;
import io.kgen.RandomStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times the Gaussian kernel-sum reduction (LSE and softmax-weighted mean) and the empirical score
 * on device-resident data, after checking the first rows against the CPU backend. Prints one
 * Markdown table: median ms over the repeats, pairs/s, and GFLOP/s at 5d flops per pair (3d for
 * the distance, 2d for the weighted sum; the exponential is counted by pairs/s).
 *
 * <pre>
 * bash .gpu/java.sh io.kgen.bench.KernelSumBench                      # the shapes on CUDA
 * java -cp ... io.kgen.bench.KernelSumBench --backend CPU --scale 0.01 # a small CPU run
 * </pre>
 */
@Command(name = "kernel-sum-bench", mixinStandardHelpOptions = true)
public final class KernelSumBench implements Callable<Integer> {
    @Option(names = "--backend", description = "AUTO, CPU or CUDA (default: ${DEFAULT-VALUE})")
    Backend backend = Backend.AUTO;

    @Option(names = "--shapes", split = ";",
            description = "M,N,d triples separated by ';' (default: the five reference shapes)")
    List<String> shapes = List.of("10000,10000,2", "50000,50000,16", "10000,10000,784", "10000,60000,784",
            "4096,50000,3072");

    @Option(names = "--scale", description = "multiplies M and N (e.g. 0.01 for a CPU run; default: ${DEFAULT-VALUE})")
    double scale = 1.0;

    @Option(names = "--repeats", description = "timed runs per case (default: ${DEFAULT-VALUE})")
    int repeats = 10;

    @Option(names = "--check-rows", description = "query rows checked against the CPU backend (default: ${DEFAULT-VALUE})")
    int checkRows = 16;

    @Option(names = "--out", description = "also write the table to this file")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<String> rows = new ArrayList<>();
        try (Engine engine = Engine.open(backend); Engine cpu = Engine.open(Backend.CPU)) {
            System.out.println("device: " + engine.describe());
            rows.add("| shape (M, N, d) | op | ms (median) | ms (min) | pairs/s | GFLOP/s | max err vs CPU |");
            rows.add("|---|---|---|---|---|---|---|");
            rows.add(tinyCallRow(engine));
            for (String shape : shapes) {
                long[] s = Arrays.stream(shape.split(",")).mapToLong(v -> Long.parseLong(v.trim())).toArray();
                if (s.length != 3) throw new IllegalArgumentException("--shapes entry '" + shape + "' is not M,N,d");
                int m = (int) Math.max(1, Math.round(s[0] * scale));
                int n = (int) Math.max(2, Math.round(s[1] * scale));
                int d = (int) s[2];
                rows.addAll(benchShape(engine, cpu, m, n, d));
                System.out.println(rows.get(rows.size() - 2));
                System.out.println(rows.get(rows.size() - 1));
            }
        }
        String table = String.join("\n", rows);
        System.out.println();
        System.out.println(table);
        if (out != null) Files.writeString(out, table + "\n");
        return 0;
    }

    /** JNI plus launch overhead: a 1 x 1 x 1 reduction on device-resident data. */
    private String tinyCallRow(Engine engine) {
        try (DeviceMatrix x = engine.upload(FloatMatrix.wrap(1, 1, new float[] {0.5f}));
                DeviceMatrix lse = engine.allocate(1, 1); DeviceMatrix mean = engine.allocate(1, 1)) {
            KernelSum spec = KernelSum.gaussian(1f);
            double[] ms = time(() -> engine.kernelSums(spec, x, x, KernelSumOutputs.lseAndMean(lse, mean)), Math.max(repeats, 200));
            return String.format(Locale.ROOT, "| (1, 1, 1) tiny call | kernel sum | %.4f | %.4f | - | - | - |",
                    median(ms), ms[0]);
        }
    }

    private List<String> benchShape(Engine engine, Engine cpu, int m, int n, int d) {
        FloatMatrix xHost = randomNormal(cpu, m, d, 1);
        FloatMatrix yHost = randomNormal(cpu, n, d, 2);
        // A bandwidth at which the softmax is neither one-hot nor flat for N(0, I) data.
        float h = d == 2 ? 0.05f : (float) (0.5 * Math.sqrt(d));
        KernelSum spec = KernelSum.gaussian(h);
        List<String> rows = new ArrayList<>();
        try (DeviceMatrix x = engine.upload(xHost); DeviceMatrix y = engine.upload(yHost);
                DeviceMatrix lse = engine.allocate(m, 1); DeviceMatrix mean = engine.allocate(m, d);
                DeviceMatrix score = engine.allocate(m, d)) {
            double err = check(engine, cpu, spec, xHost, yHost, x, y);
            double pairs = (double) m * n;
            double[] reduce = time(() -> engine.kernelSums(spec, x, y, KernelSumOutputs.lseAndMean(lse, mean)), repeats);
            rows.add(row(m, n, d, "lse + mean", reduce, pairs, err));
            double[] scoring = time(() -> engine.score(spec, x, y, score), repeats);
            rows.add(row(m, n, d, "score", scoring, pairs, err));
        } catch (io.kgen.KgenException e) {
            // KeOps style: a shape that does not fit is a table entry, not a crash.
            rows.add(String.format(Locale.ROOT, "| (%d, %d, %d) | all | failed: %s | | | | |", m, n, d, e.getMessage()));
            rows.add("");
        }
        return rows;
    }

    /** Largest error of the first rows against the CPU backend, relative to max |y| (0 on the CPU). */
    private double check(Engine engine, Engine cpu, KernelSum spec, FloatMatrix xHost, FloatMatrix yHost,
            DeviceMatrix x, DeviceMatrix y) {
        if (engine.backend() == Backend.CPU) return Double.NaN; // the CPU is the reference
        int rows = (int) Math.min(checkRows, xHost.rows());
        int d = xHost.cols();
        FloatMatrix head = FloatMatrix.heap(rows, d);
        for (int i = 0; i < rows; i++) for (int k = 0; k < d; k++) head.set(i, k, xHost.get(i, k));
        KernelSums want = cpu.kernelSums(spec, head, yHost);
        KernelSums got = engine.kernelSums(spec, x, y);
        double yScale = 0;
        for (float v : yHost.toArray()) yScale = Math.max(yScale, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < rows; i++) {
            worst = Math.max(worst, Math.abs(want.lse().get(i, 0) - got.lse().get(i, 0)) / Math.max(1, Math.abs(want.lse().get(i, 0))));
            for (int k = 0; k < d; k++) {
                worst = Math.max(worst, Math.abs(want.mean().get(i, k) - got.mean().get(i, k)) / yScale);
            }
        }
        return worst;
    }

    private static FloatMatrix randomNormal(Engine cpu, int rows, int cols, long stream) {
        FloatMatrix m = FloatMatrix.heap(rows, cols);
        cpu.fillNormal(m, RandomStream.of(2026, stream));
        return m;
    }

    /** Sorted ms of `repeats` runs after one warm-up run (shared with CpuBench). */
    static double[] time(Runnable call, int repeats) {
        call.run(); // warm-up: first launch, module load, allocator pools
        double[] ms = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            call.run(); // every operation returns once its results are complete
            ms[r] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static String row(int m, int n, int d, String op, double[] ms, double pairs, double err) {
        double med = median(ms);
        double seconds = med / 1e3;
        return String.format(Locale.ROOT, "| (%d, %d, %d) | %s | %.3f | %.3f | %.3e | %.1f | %s |", m, n, d, op, med,
                ms[0], pairs / seconds, pairs * 5.0 * d / seconds / 1e9,
                Double.isNaN(err) ? "-" : String.format(Locale.ROOT, "%.1e", err));
    }

    public static void main(String[] args) {
        PrintStream err = System.err;
        int code = new CommandLine(new KernelSumBench()).execute(args);
        if (code != 0) err.println("kernel-sum-bench failed (exit " + code + ")");
        System.exit(code);
    }
}
