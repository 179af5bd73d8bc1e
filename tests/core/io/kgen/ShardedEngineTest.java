package io.kgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.sampling.Drifting;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;
import io.kgen.testing.TestSeeds;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sharded engine over 1, 2 and 3 CPU contexts against one engine: split by queries the results
 * are the same bits; split by data rows they are the same bits as one engine merging the same
 * blocks' partial states in the same order, and within float rounding of one engine's sums.
 * Sizes are odd (m = 37, n = 101, d = 3) so no block split is even.
 */
class ShardedEngineTest {
    private static final int M = 37;
    private static final int N = 101;
    private static final int D = 3;
    private static Engine single;
    private static FloatMatrix queries;
    private static FloatMatrix data;
    private static FloatMatrix weights;
    private static FloatMatrix bandwidths;

    @BeforeAll
    static void inputs() {
        SplittableRandom rng = TestSeeds.random("sharded engine inputs");
        queries = FloatMatrix.of(TestData.gaussian(rng, M, D, 1.0));
        data = FloatMatrix.of(TestData.gaussian(rng, N, D, 1.0));
        weights = FloatMatrix.wrap(N, 1, TestData.uniform(rng, N, 0.1, 1.0));
        bandwidths = FloatMatrix.wrap(M, 1, TestData.uniform(rng, M, 0.3, 0.9));
        single = Engine.cpu(1);
    }

    @AfterAll
    static void close() {
        single.close();
    }

    private static List<KernelSum> specs() {
        return List.of(KernelSum.gaussian(0.5), KernelSum.gaussian(0.5).withWeights(weights),
                KernelSum.gaussian(0.5).withBandwidth(Bandwidth.perQuery(bandwidths)), KernelSum.laplace(0.7),
                KernelSum.cauchy(0.4).withWeights(weights));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void splitByQueriesGivesOneEnginesBits(int contexts) {
        try (Engine sharded = Engine.shardedCpu(contexts, ShardSplit.QUERIES)) {
            assertEquals(contexts, sharded.shardCount());
            // the default thread count shared out, at least one thread each
            int each = Math.max(1, CpuOptions.defaultThreads() / contexts);
            assertTrue(sharded.describe().contains("[CPU, " + each + " threads,"), sharded.describe());
            for (KernelSum spec : specs()) {
                KernelSums one = single.kernelSums(spec, queries, data);
                KernelSumOutputs out = new KernelSumOutputs(TestData.poisoned(M, 1), TestData.poisoned(M, D),
                        TestData.poisoned(M, D));
                sharded.kernelSums(spec, queries, data, out);
                assertBits(one.lse(), (FloatMatrix) out.lse(), spec + " lse");
                assertBits(one.mean(), (FloatMatrix) out.mean(), spec + " mean");
                assertBits(one.gradient(), (FloatMatrix) out.gradient(), spec + " gradient");
                assertBits(single.score(spec, queries, data), sharded.score(spec, queries, data), spec + " score");
                assertBits(single.logDensity(spec, queries, data), sharded.logDensity(spec, queries, data),
                        spec + " log-density");
            }
            NearestTwo near = sharded.nearestTwo(queries, data, false);
            assertBits(single.nearestTwo(queries, data, false).distances(), near.distances(), "nearest distances");
            assertArrayEquals(single.nearestTwo(queries, data, false).indices(), near.indices(), "nearest indices");
            assertBits(single.distanceSums(queries, data, weights, false),
                    sharded.distanceSums(queries, data, weights, false), "distance sums");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void contextMatricesOfTheHomeAreSplitInPlace(int contexts) {
        try (Engine sharded = Engine.shardedCpu(contexts, ShardSplit.QUERIES);
                DeviceMatrix q = sharded.upload(queries);
                DeviceMatrix y = sharded.upload(data);
                DeviceMatrix h = sharded.upload(bandwidths);
                DeviceMatrix score = sharded.allocate(M, D)) {
            KernelSum spec = KernelSum.gaussian(1).withBandwidth(Bandwidth.perQuery(h));
            sharded.fill(score, Float.NaN);
            sharded.score(spec, q, y, score);
            KernelSum onHost = KernelSum.gaussian(1).withBandwidth(Bandwidth.perQuery(bandwidths));
            assertBits(single.score(onHost, queries, data), score.download(), "score of context matrices");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void splitByDataMergesTheBlocksInShardOrder(int contexts) {
        try (Engine sharded = Engine.shardedCpu(contexts, ShardSplit.DATA)) {
            for (KernelSum spec : specs()) {
                KernelSums got = sharded.kernelSums(spec, queries, data);
                KernelSums same = mergedBlocks(spec, queries, contexts);
                assertBits(same.lse(), got.lse(), spec + " lse, " + contexts + " blocks");
                assertBits(same.mean(), got.mean(), spec + " mean, " + contexts + " blocks");
                assertBits(same.gradient(), got.gradient(), spec + " gradient, " + contexts + " blocks");
                KernelSums one = single.kernelSums(spec, queries, data);
                assertClose(one.lse(), got.lse(), 1e-5, spec + " lse against one engine");
                assertClose(one.mean(), got.mean(), 1e-5, spec + " mean against one engine");
                assertClose(one.gradient(), got.gradient(), 1e-5, spec + " gradient against one engine");
                assertClose(single.logDensity(spec, queries, data), sharded.logDensity(spec, queries, data), 1e-5,
                        spec + " log-density against one engine");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"QUERIES", "DATA"})
    void leaveOneOutSkipsEachRowsOwnPair(String split) {
        KernelSum spec = KernelSum.gaussian(0.6).withLeaveOneOut(true);
        try (Engine sharded = Engine.shardedCpu(3, ShardSplit.valueOf(split))) {
            KernelSums one = single.kernelSums(spec, data, data);
            KernelSums got = sharded.kernelSums(spec, data, data);
            assertClose(one.lse(), got.lse(), 1e-5, split + " leave-one-out lse");
            assertClose(one.mean(), got.mean(), 1e-5, split + " leave-one-out mean");
            assertClose(single.logDensity(spec, data, data), sharded.logDensity(spec, data, data), 1e-5,
                    split + " leave-one-out log-density");
            assertArrayEquals(single.nearestTwo(data, data, true).indices(),
                    sharded.nearestTwo(data, data, true).indices(), split + " leave-one-out neighbours");
        }
    }

    @Test
    void samplersRunOnAShardedEngineUnchanged() {
        FloatMatrix swiss = io.kgen.data.Dataset.SWISS_ROLL.sample(301, 5);
        ReverseSde sde = ReverseSde.builder().score(new ScoreEstimator.TimeShift(0.05)).steps(40).seed(11).build();
        Drifting drift = Drifting.builder().steps(10).build();
        try (Engine sharded = Engine.shardedCpu(3, ShardSplit.QUERIES)) {
            assertClose(sde.sample(single, swiss, 53), sde.sample(sharded, swiss, 53), 1e-4, "reverse SDE samples");
            assertClose(drift.run(single, swiss, 53, 3), drift.run(sharded, swiss, 53, 3), 1e-4, "drifting samples");
            assertEquals(0, sharded.liveAllocations(), "allocations left after the runs");
        }
    }

    @Test
    void badInputIsNamedAsOneEngineNamesIt() {
        FloatMatrix bad = queries.copyRows(0, M);
        bad.set(30, 2, Float.NaN);
        try (Engine sharded = Engine.shardedCpu(3, ShardSplit.QUERIES)) {
            String expected = assertThrows(IllegalArgumentException.class,
                    () -> single.score(KernelSum.gaussian(1), bad, data)).getMessage();
            String got = assertThrows(IllegalArgumentException.class,
                    () -> sharded.score(KernelSum.gaussian(1), bad, data)).getMessage();
            assertEquals(expected, got);
            assertTrue(got.contains("30"), got);
            var e = assertThrows(IllegalArgumentException.class, () -> sharded.score(KernelSum.gaussian(1), queries,
                    data, FloatMatrix.heap(M + 1, D)));
            assertTrue(e.getMessage().startsWith("score"), e.getMessage());
        }
    }

    @Test
    void shardsAreCheckedAndOwned() {
        assertEquals("shards is empty",
                assertThrows(IllegalArgumentException.class, () -> Engine.sharded(ShardSplit.DATA, List.of()))
                        .getMessage());
        Engine a = Engine.cpu(1);
        assertEquals("shards[1] repeats an earlier shard", assertThrows(IllegalArgumentException.class,
                () -> Engine.sharded(ShardSplit.DATA, List.of(a, a))).getMessage());
        Engine b = Engine.cpu(1);
        b.close();
        assertEquals("shards[1] is closed", assertThrows(IllegalArgumentException.class,
                () -> Engine.sharded(ShardSplit.DATA, List.of(a, b))).getMessage());
        Engine sharded = Engine.sharded(ShardSplit.DATA, List.of(a, Engine.cpu(1)));
        assertTrue(sharded.describe().startsWith("sharded by data over 2 contexts: [CPU"), sharded.describe());
        sharded.close();
        sharded.close();
        assertTrue(a.isClosed(), "closing the sharded engine closes its shards");
        assertTrue(sharded.isClosed());
    }

    /** One engine doing what a data split over {@code blocks} shards does, block by block. */
    private static KernelSums mergedBlocks(KernelSum spec, FloatMatrix q, int blocks) {
        PartialSums state = null;
        for (int s = 0; s < blocks; s++) {
            long first = (long) N * s / blocks;
            long count = (long) N * (s + 1) / blocks - first;
            KernelSum block = spec.weights() == null ? spec
                    : spec.withWeights(((FloatMatrix) spec.weights()).copyRows(first, count));
            PartialSums p = single.partialSums(block, q, data.copyRows(first, count), -first);
            if (state == null) state = p;
            else single.mergePartial(state, p);
        }
        KernelSums sums = single.finalizePartial(state);
        if (spec.weights() == null) {
            for (long i = 0; i < M; i++) sums.lse().setFlat(i, (float) (sums.lse().getFlat(i) - Math.log(N)));
        }
        return sums;
    }

    private static void assertBits(FloatMatrix expected, FloatMatrix actual, String what) {
        assertEquals(expected.rows(), actual.rows(), what + ": rows");
        assertArrayEquals(expected.toArray(), actual.toArray(), what);
    }

    private static void assertClose(FloatMatrix expected, FloatMatrix actual, double relative, String what) {
        assertEquals(expected.rows(), actual.rows(), what + ": rows");
        double scale = 0;
        double worst = 0;
        for (long i = 0; i < expected.size(); i++) {
            scale = Math.max(scale, Math.abs(expected.getFlat(i)));
            worst = Math.max(worst, Math.abs(expected.getFlat(i) - actual.getFlat(i)));
        }
        assertTrue(worst <= relative * Math.max(scale, 1e-30), what + ": largest difference " + worst + " against "
                + "largest value " + scale);
    }
}
