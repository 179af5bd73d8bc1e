package io.kgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernel-sum contract on CUDA device 0 (skipped without one), plus CUDA against the CPU
 * backend on shapes that exercise the data split and the combine pass.
 */
@Tag("gpu")
class KernelSumCudaTest extends KernelSumContract {
    @Override
    Profile profile() {
        return Profile.CUDA;
    }

    /**
     * Few queries against much data (many splits), and many queries (several query blocks). Without
     * a gradient output, d >= 32 takes the tensor-core path (3xTF32 unless KGEN_CUDA_PRECISION says
     * otherwise); with one, the any-d kernel.
     */
    @ParameterizedTest(name = "m={0} n={1} d={2} {3} gradient={4}")
    @CsvSource({"3, 100003, 2, GAUSSIAN, true", "1, 65537, 17, LAPLACE, true", "20011, 307, 16, GAUSSIAN, true",
                "5, 20011, 784, GAUSSIAN, true", "257, 4099, 33, LAPLACE, true", "2, 9973, 3072, GAUSSIAN, true",
                "131, 50021, 2, CAUCHY, true", "7, 3001, 784, CAUCHY, true",
                "5, 20011, 784, GAUSSIAN, false", "257, 4099, 33, LAPLACE, false", "2, 9973, 3072, GAUSSIAN, false",
                "7, 3001, 784, CAUCHY, false", "1000, 1000, 784, GAUSSIAN, false", "131, 1031, 32, LAPLACE, false"})
    void cudaMatchesTheCpuBackend(int m, int n, int d, Kernel kernel, boolean withGradient) {
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
            Matrix grad = withGradient ? o.output(m, d) : null;
            engine.kernelSums(spec, o.queries, o.data, new KernelSumOutputs(lse, mean, grad));
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
            if (!withGradient) return;
            float[] gotGrad = o.values(grad);
            float[] wantGrad = cpu.gradient().toArray();
            double gradientScale = kernel == Kernel.GAUSSIAN ? 2 * yScale : (d + 1);
            for (int i = 0; i < gotGrad.length; i++) {
                double h = p.bandwidths[i / d];
                double bound = (baseTolerance(d) + logitBound) * gradientScale / (kernel == Kernel.GAUSSIAN ? h * h : h);
                assertEquals(wantGrad[i], gotGrad[i], bound, kernel + " gradient flat " + i);
            }
        }
    }
}
