package io.kgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Engine life cycle, memory round trips and use from several threads. */
class EngineTest {
    @Test
    void theDefaultThreadCountIsTheNativeLibrarys() {
        int threads = CpuOptions.defaultThreads();
        String env = System.getenv("KGEN_THREADS");
        assertEquals(env != null ? Integer.parseInt(env) : Runtime.getRuntime().availableProcessors(), threads);
        try (Engine cpu = Engine.open(Backend.CPU)) {
            assertTrue(cpu.describe().startsWith("CPU, " + threads + " threads,"), cpu.describe());
        }
    }

    @Test
    void autoOpensAUsableBackend() {
        try (Engine engine = Engine.open()) {
            Backend expected = Engine.cudaDeviceCount() > 0 ? Backend.CUDA : Backend.CPU;
            assertEquals(expected, engine.backend());
            assertTrue(engine.describe().startsWith(expected == Backend.CPU ? "CPU" : "CUDA"), engine.describe());
            MemoryInfo memory = engine.memoryInfo();
            assertTrue(memory.totalBytes() > 0 && memory.freeBytes() <= memory.totalBytes(), memory.toString());
        }
    }

    @Test
    void buildInfoNamesTheAbiAndTheCudaBuild() {
        String info = Engine.buildInfo();
        assertTrue(info.contains("ABI 5"), info);
        assertEquals(Engine.cudaCompiled(), info.contains("PTX for:"), info);
    }

    @Test
    void deviceMatricesRoundTrip() {
        long seed = TestData.freshSeed("round trip");
        float[][] values = TestData.gaussian(new SplittableRandom(seed), 37, 5, 1);
        try (Engine engine = Engine.open(Backend.CPU)) {
            FloatMatrix host = FloatMatrix.of(values);
            try (DeviceMatrix onContext = engine.upload(host); DeviceMatrix copy = engine.allocate(37, 5);
                    FloatMatrix offHeap = FloatMatrix.offHeap(37, 5)) {
                engine.copy(onContext, copy);
                engine.copy(copy, offHeap);
                assertArrayEquals(host.toArray(), offHeap.toArray());
                assertArrayEquals(host.toArray(), copy.download().toArray());
                assertArrayEquals(values[3], offHeap.row(3));
            }
        }
    }

    @Test
    void sameSeedSameDrawsDifferentStreamDifferentDraws() {
        try (Engine engine = Engine.open(Backend.CPU)) {
            float[] a = engine.normal(100, 3, RandomStream.of(11, 0)).toArray();
            float[] b = engine.normal(100, 3, RandomStream.of(11, 0)).toArray();
            float[] c = engine.normal(100, 3, RandomStream.of(11, 1)).toArray();
            assertArrayEquals(a, b);
            int same = 0;
            for (int i = 0; i < a.length; i++) if (a[i] == c[i]) same++;
            assertTrue(same < 3, "streams 0 and 1 share " + same + " of " + a.length + " draws");
        }
    }

    /** Calls from several threads on one engine give the results of the same calls in sequence. */
    @Test
    void concurrentCallsAgreeWithSequentialOnes() throws Exception {
        long seed = TestData.freshSeed("concurrency");
        SplittableRandom rng = new SplittableRandom(seed);
        List<FloatMatrix> queries = new ArrayList<>();
        for (int t = 0; t < 8; t++) queries.add(FloatMatrix.of(TestData.gaussian(rng, 31 + t, 3, 1)));
        FloatMatrix data = FloatMatrix.of(TestData.gaussian(rng, 509, 3, 1));
        KernelSum spec = KernelSum.gaussian(0.4f);
        try (Engine engine = Engine.open(Backend.CPU)) {
            List<float[]> sequential = new ArrayList<>();
            for (FloatMatrix q : queries) sequential.add(engine.score(spec, q, data).toArray());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> parallel = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (FloatMatrix q : queries) parallel.add(pool.submit(() -> engine.score(spec, q, data).toArray()));
                }
                for (int i = 0; i < parallel.size(); i++) {
                    assertArrayEquals(sequential.get(i % queries.size()), parallel.get(i).get());
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    /** Off-heap operands and outputs are used in place on a CPU engine, and results equal the heap path. */
    @Test
    void offHeapMatchesHeap() {
        long seed = TestData.freshSeed("off heap");
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] x = TestData.gaussian(rng, 19, 4, 1);
        float[][] y = TestData.gaussian(rng, 41, 4, 1);
        KernelSum spec = KernelSum.laplace(0.7f);
        try (Engine engine = Engine.open(Backend.CPU); FloatMatrix xo = FloatMatrix.offHeap(19, 4);
                FloatMatrix yo = FloatMatrix.offHeap(41, 4); FloatMatrix mean = FloatMatrix.offHeap(19, 4)) {
            for (int i = 0; i < 19; i++) for (int k = 0; k < 4; k++) xo.set(i, k, x[i][k]);
            for (int j = 0; j < 41; j++) for (int k = 0; k < 4; k++) yo.set(j, k, y[j][k]);
            engine.kernelSums(spec, xo, yo, KernelSumOutputs.lseAndMean(null, mean));
            KernelSums heap = engine.kernelSums(spec, FloatMatrix.of(x), FloatMatrix.of(y));
            assertArrayEquals(heap.mean().toArray(), mean.toArray());
        }
    }
}
