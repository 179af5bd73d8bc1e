package io.kgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernel-sum contract on CUDA device 0 (skipped without one), plus CUDA against the CPU
 * backend on shapes that exercise the data split and the combine pass.
 *
 * <p>Float32 on the GPU: sums carry about sqrt(n) ulp, hence base 3e-5; logits are formed in
 * float32 with a relative error of about (sqrt(d) + 3) ulp, hence the logit term.
 */
@Tag("gpu")
class CudaEngineTest extends KernelSumContract {
    private static final double ULP = 0x1p-24;

    @Override
    Engine openEngine() {
        assumeTrue(Engine.cudaDeviceCount() > 0, "no CUDA device");
        return Engine.open(Backend.CUDA);
    }

    @Override
    double baseTolerance(int d) {
        return 3e-5;
    }

    @Override
    double logitTolerance(int d) {
        return 4 * ULP * (Math.sqrt(d) + 3);
    }

    @Override
    boolean exactElementwise() {
        return false;
    }

    @Override
    List<Placement> placements() {
        return List.of(Placement.DEVICE, Placement.HEAP);
    }

    /** Few queries against much data (many splits), and many queries (several query blocks). */
    @ParameterizedTest(name = "m={0} n={1} d={2} {3}")
    @CsvSource({"3, 100003, 2, GAUSSIAN", "1, 65537, 17, LAPLACE", "20011, 307, 16, GAUSSIAN",
                "5, 20011, 784, GAUSSIAN", "257, 4099, 33, LAPLACE", "2, 9973, 3072, GAUSSIAN"})
    void cudaMatchesTheCpuBackend(int m, int n, int d, Kernel kernel) {
        long seed = TestData.freshSeed("CUDA vs CPU " + m + "x" + n + "x" + d);
        Problem p = new Problem(seed, m, n, d, kernel, true, true, false);
        KernelSum spec = p.spec(kernel);
        KernelSums cpu;
        try (Engine reference = Engine.open(Backend.CPU)) {
            cpu = reference.kernelSums(spec, FloatMatrix.of(p.x), FloatMatrix.of(p.y));
        }
        try (Operands o = new Operands(Placement.DEVICE, p.x, p.y)) {
            Matrix lse = o.output(m, 1);
            Matrix mean = o.output(m, d);
            Matrix grad = kernel == Kernel.LAPLACE ? o.output(m, d) : null;
            engine.kernelSums(spec, o.queries, o.data, lse, mean, grad);
            float[] gotLse = o.values(lse);
            float[] wantLse = cpu.lse().toArray();
            double yScale = TestData.maxAbs(p.y);
            double logitBound = logitTolerance(d) * 50; // logits here are of order 10 at most
            for (int i = 0; i < m; i++) {
                assertEquals(wantLse[i], gotLse[i], baseTolerance(d) * Math.max(1, Math.abs(wantLse[i])) + logitBound,
                        "lse[" + i + "]");
            }
            float[] gotMean = o.values(mean);
            float[] wantMean = cpu.mean().toArray();
            for (int i = 0; i < gotMean.length; i++) {
                assertEquals(wantMean[i], gotMean[i], (baseTolerance(d) + logitBound) * yScale, "mean flat " + i);
            }
            if (grad != null) {
                float[] gotGrad = o.values(grad);
                float[] wantGrad = cpu.laplaceGradient().toArray();
                for (int i = 0; i < gotGrad.length; i++) {
                    assertEquals(wantGrad[i], gotGrad[i], (baseTolerance(d) + logitBound) / p.bandwidths[i / d],
                            "laplace gradient flat " + i);
                }
            }
        }
    }

    /** CUDA normals equal the CPU backend's bit for bit over a large range. */
    @ParameterizedTest
    @CsvSource({"0, 0, 1000003", "12345, 7, 999", "-1, -1, 65536"})
    void cudaNormalsEqualTheCpuBackend(long seed, long stream, int count) {
        long offset = new SplittableRandom(seed).nextLong() >>> 20;
        try (Engine cpu = Engine.open(Backend.CPU)) {
            FloatMatrix want = FloatMatrix.heap(count, 1);
            cpu.fillNormal(want, seed, stream, offset);
            FloatMatrix got = FloatMatrix.heap(count, 1);
            engine.fillNormal(got, seed, stream, offset);
            float[] w = want.toArray();
            float[] g = got.toArray();
            for (int i = 0; i < count; i++) {
                assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(g[i]), "element " + (offset + i));
            }
        }
    }
}
