package io.kgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.sampling.Progress;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;
import io.kgen.testing.TestSeeds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The CPU engine under load and faults (not timings): threads sharing an engine and engines side
 * by side give the serial results bit for bit; a long run of mixed calls and of whole sampler runs
 * leaves context allocations where they were and resident memory flat; a cancelled run gives
 * back every buffer it took.
 */
class LoadAndFaultsTest {
    static FloatMatrix random(SplittableRandom r, long rows, int cols) {
        float[] v = new float[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return FloatMatrix.wrap(rows, cols, v);
    }

    /** One task's work: a kernel sum, a score and a log-density of its own queries. */
    static float[] work(Engine engine, FloatMatrix queries, FloatMatrix data) {
        KernelSum spec = KernelSum.gaussian(0.4);
        KernelSums sums = engine.kernelSums(spec, queries, data);
        float[] a = sums.mean().toArray(), b = engine.score(spec, queries, data).toArray();
        float[] c = engine.logDensity(KernelSum.laplace(0.7), queries, data).toArray();
        float[] all = new float[a.length + b.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        return all;
    }

    @Test
    void threadsSharingAnEngineAndEnginesSideBySideGiveTheSerialResults() throws Exception {
        SplittableRandom r = TestSeeds.random("concurrency");
        FloatMatrix data = random(r, 997, 3);
        List<FloatMatrix> queries = new ArrayList<>();
        for (int t = 0; t < 8; t++) queries.add(random(r, 61 + t, 3));
        List<float[]> serial = new ArrayList<>();
        try (Engine engine = Engine.open(Backend.CPU)) {
            for (FloatMatrix q : queries) serial.add(work(engine, q, data));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Engine shared = Engine.open(Backend.CPU)) {
            List<Future<float[]>> sharing = new ArrayList<>(), separate = new ArrayList<>();
            for (int repeat = 0; repeat < 3; repeat++) {
                for (FloatMatrix q : queries) sharing.add(pool.submit(() -> work(shared, q, data)));
                for (FloatMatrix q : queries) {
                    separate.add(pool.submit(() -> {
                        try (Engine own = Engine.open(Backend.CPU)) {
                            return work(own, q, data);
                        }
                    }));
                }
            }
            for (int k = 0; k < sharing.size(); k++) {
                assertArrayEquals(serial.get(k % 8), sharing.get(k).get(), "a shared engine, task " + k);
                assertArrayEquals(serial.get(k % 8), separate.get(k).get(), "an engine per task, task " + k);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static long residentBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        return -1;
    }

    @Test
    void longRunsLeaveAllocationsAndMemoryFlat() throws Exception {
        soak(Backend.CPU, 1000);
    }

    /**
     * {@code rounds} rounds of 100 mixed calls and a sampler run after a warm-up: context
     * allocations unchanged, resident memory within 64 MiB, and on a GPU free device memory
     * within 16 MiB (the stream-ordered pool may keep a little).
     */
    static void soak(Backend backend, int rounds) throws Exception {
        SplittableRandom r = TestSeeds.random("soak");
        FloatMatrix data = random(r, 40, 2), queries = random(r, 7, 2);
        try (Engine engine = Engine.open(backend)) {
            ReverseSde sde = ReverseSde.builder().score(new ScoreEstimator.TimeShift(0.1)).steps(3).seed(5).build();
            Runnable round = () -> {
                for (int call = 0; call < 100; call++) {
                    work(engine, queries, data);
                    try (DeviceMatrix x = engine.upload(queries)) {
                        engine.addNoise(x, 0.1, RandomStream.of(3, call));
                        engine.score(KernelSum.cauchy(0.5), x, data);
                    }
                }
                sde.sample(engine, data, 5);
            };
            for (int warm = 0; warm < 50; warm++) round.run();
            System.gc();
            int allocations = engine.liveAllocations();
            long before = residentBytes(), freeBefore = engine.memoryInfo().freeBytes();
            // Each round: 100 x (3 reductions, an upload, a noise fill, a score, a free) and a sampler run.
            for (int n = 0; n < rounds; n++) round.run();
            System.gc();
            long after = residentBytes(), freeAfter = engine.memoryInfo().freeBytes();
            System.out.printf("soak (%s, %d rounds): live allocations %d -> %d, resident %d MiB -> %d MiB, "
                    + "context free %d MiB -> %d MiB%n", backend, rounds, allocations, engine.liveAllocations(),
                    before >> 20, after >> 20, freeBefore >> 20, freeAfter >> 20);
            assertEquals(allocations, engine.liveAllocations(), "context allocations after the runs");
            assertTrue(after - before < 64L << 20, "resident memory grew by " + ((after - before) >> 20) + " MiB");
            if (backend == Backend.CUDA) {
                assertTrue(freeBefore - freeAfter < 16L << 20, "device memory fell by " + ((freeBefore - freeAfter) >> 20) + " MiB");
            }
        }
    }

    @Test
    void aCancelledRunGivesBackEveryBuffer() {
        SplittableRandom r = TestSeeds.random("cancel");
        FloatMatrix data = random(r, 50, 2);
        try (Engine engine = Engine.open(Backend.CPU)) {
            int before = engine.liveAllocations();
            int[] heldWhileRunning = {0}, polls = {0};
            Progress stopAfterFourSteps = new Progress() {
                @Override
                public void step(int done, int total) {
                    heldWhileRunning[0] = Math.max(heldWhileRunning[0], engine.liveAllocations());
                }

                @Override
                public boolean cancelled() {
                    return ++polls[0] >= 4;
                }
            };
            ReverseSde sde = ReverseSde.builder().score(new ScoreEstimator.Empirical()).steps(20).seed(1)
                    .progress(stopAfterFourSteps).build();
            assertThrows(CancellationException.class, () -> sde.sample(engine, data, 30));
            assertTrue(heldWhileRunning[0] > before, "the run held buffers while it ran");
            assertEquals(before, engine.liveAllocations(), "buffers left after the cancel");
        }
    }
}
