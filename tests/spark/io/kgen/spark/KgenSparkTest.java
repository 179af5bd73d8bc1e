package io.kgen.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.Bandwidth;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.KernelSums;
import io.kgen.data.Dataset;
import io.kgen.sampling.Drifting;
import io.kgen.sampling.KdeSampler;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;
import io.kgen.testing.TestSeeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kgen on Spark in local mode (CPU backend) against one engine: split by data, LSE and means
 * within 1e-6 (relative to the largest value) whatever the partitioning, including empty,
 * single and skewed partitions and a task that fails once; split by queries and by particles,
 * the same bits. One SparkSession for the class; small data.
 */
class KgenSparkTest {
    private static final int N = 101;
    private static final int M = 17;
    private static final int D = 3;
    private static SparkSession spark;
    private static JavaSparkContext sc;
    private static Engine single;
    private static FloatMatrix data;
    private static FloatMatrix queries;
    private static float[] weights;

    /** Failures injected so far (the tasks run in this JVM in local mode). */
    private static final AtomicInteger INJECTED = new AtomicInteger();

    @BeforeAll
    static void start() {
        // 3 threads; a task may fail once and be retried (local[N, maxFailures])
        spark = SparkSession.builder().master("local[3,2]").appName("kgen-spark-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "3")
                .getOrCreate();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        System.out.println("[spark] " + spark.version());
        String expected = System.getProperty("kgen.spark.expected");
        if (expected != null) assertEquals(expected, spark.version(), "the Spark on this test's classpath");
        SplittableRandom rng = TestSeeds.random("kgen on Spark inputs");
        data = gaussian(rng, N, D);
        queries = gaussian(rng, M, D);
        weights = new float[N];
        for (int i = 0; i < N; i++) weights[i] = (float) (0.1 + rng.nextDouble());
        single = Engine.cpu(2);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
        if (single != null) single.close();
    }

    private static FloatMatrix gaussian(SplittableRandom rng, int rows, int cols) {
        FloatMatrix m = FloatMatrix.heap(rows, cols);
        for (int i = 0; i < rows * cols; i++) m.setFlat(i, (float) (rng.nextGaussian()));
        return m;
    }

    private static List<float[]> rowsOf(FloatMatrix m) {
        List<float[]> rows = new ArrayList<>();
        for (long i = 0; i < m.rows(); i++) rows.add(m.row(i));
        return rows;
    }

    private static JavaRDD<float[]> rdd(FloatMatrix m, int partitions) {
        return sc.parallelize(rowsOf(m), partitions);
    }

    private static List<KernelSum> specs() {
        float[] perQuery = new float[M];
        for (int i = 0; i < M; i++) perQuery[i] = 0.4f + 0.03f * i;
        return List.of(KernelSum.gaussian(0.6), KernelSum.laplace(0.8),
                KernelSum.gaussian(1).withBandwidth(Bandwidth.perQuery(perQuery)), KernelSum.cauchy(0.5));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7})
    void splitByDataAgreesWithOneEngine(int partitions) {
        for (KernelSum spec : specs()) {
            KernelSums want = single.kernelSums(spec, queries, data);
            KernelSums got = KgenSpark.kernelSums(spec, queries, rdd(data, partitions));
            assertClose(want.lse(), got.lse(), 1e-6, spec + " lse, " + partitions + " partitions");
            assertClose(want.mean(), got.mean(), 1e-6, spec + " mean, " + partitions + " partitions");
            assertClose(want.gradient(), KgenSpark.score(spec, queries, rdd(data, partitions)), 1e-5,
                    spec + " score, " + partitions + " partitions");
            assertClose(single.logDensity(spec, queries, data), KgenSpark.logDensity(spec, queries,
                    rdd(data, partitions)), 1e-6, spec + " log-density, " + partitions + " partitions");
        }
    }

    @Test
    void leaveOneOutGoesByGlobalRowIndex() {
        KernelSum spec = KernelSum.gaussian(0.5).withLeaveOneOut(true);
        KernelSums want = single.kernelSums(spec, data, data);
        KernelSums got = KgenSpark.kernelSums(spec, data, rdd(data, 7));
        assertClose(want.lse(), got.lse(), 1e-6, "leave-one-out lse");
        assertClose(want.mean(), got.mean(), 1e-6, "leave-one-out mean");
        var e = assertThrows(IllegalArgumentException.class,
                () -> KgenSpark.kernelSums(spec, queries, rdd(data, 3)));
        assertEquals("leave-one-out needs the queries to be the data rows in order, but queries has 17 rows and "
                + "data 101", e.getMessage());
    }

    @Test
    void emptySingleAndSkewedPartitions() {
        KernelSum spec = KernelSum.gaussian(0.7);
        KernelSums want = single.kernelSums(spec, queries, data);
        // 101 rows in 40 partitions: many empty
        assertClose(want.lse(), KgenSpark.kernelSums(spec, queries, rdd(data, 40)).lse(), 1e-6, "empty partitions");
        // one row, then 100, then nothing
        JavaRDD<float[]> skewed = rdd(data.copyRows(0, 1), 1).union(rdd(data.copyRows(1, N - 1), 1))
                .union(sc.parallelize(Collections.<float[]>emptyList(), 2));
        assertEquals(4, skewed.getNumPartitions());
        KernelSums got = KgenSpark.kernelSums(spec.withLeaveOneOut(true), data, skewed);
        KernelSums wantLoo = single.kernelSums(spec.withLeaveOneOut(true), data, data);
        assertClose(wantLoo.lse(), got.lse(), 1e-6, "skewed partitions, leave-one-out");
        assertClose(wantLoo.mean(), got.mean(), 1e-6, "skewed partitions, leave-one-out mean");
        assertEquals("data is empty", assertThrows(IllegalArgumentException.class, () -> KgenSpark.kernelSums(spec,
                queries, sc.parallelize(Collections.<float[]>emptyList(), 3))).getMessage());
    }

    @Test
    void dataBeyondOnePartitionWithSparksOwnSplit() {
        FloatMatrix big = Dataset.SWISS_ROLL.sample(20011, 9);
        JavaRDD<float[]> rows = sc.parallelize(rowsOf(big));  // Spark's default number of slices
        assertTrue(rows.getNumPartitions() > 1, "partitions: " + rows.getNumPartitions());
        FloatMatrix q = big.copyRows(0, 5);
        KernelSum spec = KernelSum.gaussian(0.05);
        KernelSums want = single.kernelSums(spec, q, big);
        KernelSums got = KgenSpark.kernelSums(spec, q, rows);
        assertClose(want.lse(), got.lse(), 1e-6, "20011 rows, lse");
        assertClose(want.mean(), got.mean(), 1e-6, "20011 rows, mean");
    }

    @Test
    void aTaskThatFailsOnceIsRetriedWithTheSameResult() {
        KernelSum spec = KernelSum.gaussian(0.6);
        int before = INJECTED.get();
        JavaRDD<float[]> flaky = rdd(data, 5).mapPartitionsWithIndex((partition, rows) -> {
            if (partition == 2 && TaskContext.get().attemptNumber() == 0) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException("injected failure of partition 2, first attempt");
            }
            return rows;
        }, true);
        KernelSums got = KgenSpark.kernelSums(spec, queries, flaky);
        assertEquals(before + 1, INJECTED.get(), "the failure was injected once");
        KernelSums want = single.kernelSums(spec, queries, data);
        assertClose(want.lse(), got.lse(), 1e-6, "after a retried task, lse");
        assertClose(want.mean(), got.mean(), 1e-6, "after a retried task, mean");
    }

    @Test
    void weightsAndFeaturesFromADataset() {
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("w", DataTypes.FloatType, false);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            List<Double> x = new ArrayList<>();
            for (float v : data.row(i)) x.add((double) v);
            rows.add(RowFactory.create(x, weights[i]));
        }
        var frame = spark.createDataFrame(rows, schema).repartition(4);
        KernelSum spec = KernelSum.gaussian(0.6);
        // repartition shuffles the rows: without leave-one-out the order does not matter
        KernelSums got = KgenSpark.kernelSums(spec, queries, frame, "features", "w");
        KernelSums want = single.kernelSums(spec.withWeights(weights), queries, data);
        assertClose(want.lse(), got.lse(), 1e-6, "weighted lse");
        assertClose(want.mean(), got.mean(), 1e-6, "weighted mean");
        var e = assertThrows(IllegalArgumentException.class,
                () -> KgenSpark.kernelSums(spec.withWeights(weights), queries, frame, "features", "w"));
        assertTrue(e.getMessage().startsWith("spec has weights"), e.getMessage());
    }

    @Test
    void badInputIsNamedOnTheDriver() {
        FloatMatrix bad = queries.copyRows(0, M);
        bad.set(4, 1, Float.NaN);
        var e = assertThrows(IllegalArgumentException.class,
                () -> KgenSpark.kernelSums(KernelSum.gaussian(1), bad, rdd(data, 3)));
        assertTrue(e.getMessage().contains("queries") && e.getMessage().contains("NaN"), e.getMessage());
        List<float[]> ragged = rowsOf(data);
        ragged.set(50, new float[] {1, 2});
        e = assertThrows(IllegalArgumentException.class,
                () -> KgenSpark.kernelSums(KernelSum.gaussian(1), queries, sc.parallelize(ragged, 3)));
        assertTrue(e.getMessage().startsWith("data partition 1, row ") && e.getMessage().contains("has 2 values, "
                + "expected 3"), e.getMessage());
    }

    @Test
    void splitByQueriesAppendsOneEnginesBits() {
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false)
                .add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < M; i++) {
            List<Float> x = new ArrayList<>();
            for (float v : queries.row(i)) x.add(v);
            rows.add(RowFactory.create(i, x));
        }
        var frame = spark.createDataFrame(rows, schema).repartition(3, org.apache.spark.sql.functions.col("id"));
        KernelSum spec = KernelSum.gaussian(0.6).withWeights(weights);
        FloatMatrix wantScore = single.score(spec, queries, data);
        FloatMatrix wantDensity = single.logDensity(spec, queries, data);
        List<Row> scored = KgenSpark.withLogDensity(KgenSpark.withScore(frame, "x", spec, data, "score"), "x", spec,
                data, "logp").collectAsList();
        assertEquals(M, scored.size());
        for (Row row : scored) {
            int i = row.getInt(0);
            List<Float> s = row.getList(2);
            float[] got = new float[D];
            for (int k = 0; k < D; k++) got[k] = s.get(k);
            assertArrayEquals(wantScore.row(i), got, "score of query " + i);
            assertEquals(wantDensity.get(i, 0), row.getFloat(3), 0f, "log-density of query " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7})
    void splitByParticlesGivesOneEnginesSamples(int partitions) {
        FloatMatrix swiss = Dataset.SWISS_ROLL.sample(257, 2);
        ReverseSde sde = ReverseSde.builder().score(new ScoreEstimator.TimeShift(0.05)).steps(20).seed(17).build();
        assertArrayEquals(sde.sample(single, swiss, 29).toArray(),
                KgenSpark.sample(sc, sde, swiss, 29, partitions).toArray(), "reverse SDE, " + partitions + " partitions");
        KdeSampler kde = new KdeSampler(0.1, 23);
        assertArrayEquals(kde.sample(single, swiss, 29).toArray(),
                KgenSpark.sample(sc, kde, swiss, 29, partitions).toArray(), "KDE sampling, " + partitions + " partitions");
    }

    @Test
    void driftingPullsWithTheDataSplitAcrossPartitions() {
        FloatMatrix swiss = Dataset.SWISS_ROLL.sample(301, 6);
        FloatMatrix start = gaussian(new SplittableRandom(8), 40, 2);
        JavaRDD<float[]> rdd = rdd(swiss, 5).cache();
        for (Drifting.Field field : new Drifting.Field[] {Drifting.Field.LAPLACE, Drifting.Field.GAUSSIAN_GRADIENT}) {
            Drifting drifting = Drifting.builder().field(field).bandwidth(0.3).steps(10).build();
            assertClose(drifting.run(single, swiss, start), KgenSpark.drift(drifting, rdd, start), 1e-4,
                    field + " drifting");
        }
        rdd.unpersist();
        var e = assertThrows(IllegalArgumentException.class, () -> KgenSpark.drift(
                Drifting.builder().field(Drifting.Field.LAPLACE_BATCH).build(), rdd(swiss, 2), start));
        assertEquals("the LAPLACE_BATCH field needs the data on the host", e.getMessage());
    }

    /** |want - got| <= relative * max |want| over all entries. */
    private static void assertClose(FloatMatrix want, FloatMatrix got, double relative, String what) {
        assertEquals(want.rows(), got.rows(), what + ": rows");
        double scale = 0;
        double worst = 0;
        for (long i = 0; i < want.size(); i++) {
            scale = Math.max(scale, Math.abs(want.getFlat(i)));
            worst = Math.max(worst, Math.abs(want.getFlat(i) - got.getFlat(i)));
        }
        assertTrue(worst <= relative * scale, what + ": largest difference " + worst + ", largest value " + scale);
    }
}
