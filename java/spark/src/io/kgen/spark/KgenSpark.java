package io.kgen.spark;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.KernelSums;
import io.kgen.PartialResults;
import io.kgen.sampling.Drifting;
import io.kgen.sampling.KdeSampler;
import io.kgen.sampling.ReverseSde;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * kgen on Apache Spark, three ways to split the work:
 *
 * <ul>
 *   <li><b>By data</b> ({@link #kernelSums}, {@link #score}, {@link #logDensity}): queries on the
 *       driver, data rows in partitions; each partition's partial state (MATH.md section 1) is
 *       computed where the rows are, the states merge in a tree aggregation and are finalized on
 *       the driver. Leave-one-out goes by global row index (partition order); weights are a
 *       column of the data.
 *   <li><b>By queries</b> ({@link #withScore}, {@link #withLogDensity}): queries as a Dataset,
 *       data broadcast; results appended as a column.
 *   <li><b>By particles</b> ({@link #sample}): particles split into contiguous blocks, data
 *       broadcast; every draw is keyed by the particle's place in the whole run, so the samples
 *       are the same bits as one engine's run with the same seed, however many partitions.
 *       Drifting's particles interact: {@link #drift} keeps them on the driver and splits each
 *       step's pull of the data by data.
 * </ul>
 *
 * Each JVM opens one engine ({@link ExecutorEngines}): the GPU Spark assigned to the task, else
 * CUDA device 0 when usable, else the CPU. Bad arguments are {@link IllegalArgumentException}s
 * naming the argument, raised on the driver before a job starts where they can be seen there.
 */
public final class KgenSpark {
    private KgenSpark() {}

    // ---- split by data ----------------------------------------------------------------------

    /** Kernel sums of the queries against data rows of d floats each (unit weights). */
    public static KernelSums kernelSums(KernelSum spec, FloatMatrix queries, JavaRDD<float[]> data) {
        return reduce(spec, queries, data, false);
    }

    /**
     * Kernel sums against a Dataset: {@code featuresColumn} an array of floats or doubles (for
     * ML vectors, {@code org.apache.spark.ml.functions.vector_to_array} first), {@code weightColumn}
     * numeric or null for uniform weights.
     */
    public static KernelSums kernelSums(KernelSum spec, FloatMatrix queries, Dataset<Row> data, String featuresColumn,
            String weightColumn) {
        return reduce(spec, queries, rows(data, featuresColumn, weightColumn), weightColumn != null);
    }

    /** The KDE score of every query (m x d). */
    public static FloatMatrix score(KernelSum spec, FloatMatrix queries, JavaRDD<float[]> data) {
        return kernelSums(spec, queries, data).gradient();
    }

    public static FloatMatrix score(KernelSum spec, FloatMatrix queries, Dataset<Row> data, String featuresColumn,
            String weightColumn) {
        return kernelSums(spec, queries, data, featuresColumn, weightColumn).gradient();
    }

    /** The KDE log-density at every query (m x 1). */
    public static FloatMatrix logDensity(KernelSum spec, FloatMatrix queries, JavaRDD<float[]> data) {
        return PartialResults.logDensity(ExecutorEngines.current(), spec, kernelSums(spec, queries, data).lse(),
                queries.cols());
    }

    public static FloatMatrix logDensity(KernelSum spec, FloatMatrix queries, Dataset<Row> data,
            String featuresColumn, String weightColumn) {
        return PartialResults.logDensity(ExecutorEngines.current(), spec,
                kernelSums(spec, queries, data, featuresColumn, weightColumn).lse(), queries.cols());
    }

    private static JavaRDD<float[]> rows(Dataset<Row> data, String featuresColumn, String weightColumn) {
        if (data == null) throw new IllegalArgumentException("data is null");
        if (featuresColumn == null) throw new IllegalArgumentException("featuresColumn is null");
        Dataset<Row> selected = weightColumn == null ? data.select(functions.col(featuresColumn))
                : data.select(functions.col(featuresColumn), functions.col(weightColumn));
        boolean weighted = weightColumn != null;
        return selected.javaRDD().map(row -> DataRows.fromRow(row, weighted));
    }

    private static KernelSums reduce(KernelSum kernelSum, FloatMatrix queries, JavaRDD<float[]> data,
            boolean weighted) {
        Spec spec = Spec.of(kernelSum);
        if (queries == null || queries.rows() == 0) throw new IllegalArgumentException("queries is empty");
        if (data == null) throw new IllegalArgumentException("data is null");
        int d = queries.cols();
        Engine driver = ExecutorEngines.current();
        // The engine's own checks of the queries and the spec, on the driver, before any job.
        driver.partialSums(spec.toKernelSum(null), queries, FloatMatrix.heap(1, d), 0);

        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.context());
        long[] firstRows = spec.leaveOneOut() ? firstRows(data, queries.rows()) : null;
        Broadcast<Points> shipped = sc.broadcast(Points.of(queries));
        try {
            JavaRDD<State> states = data.mapPartitionsWithIndex((partition, rows) -> {
                long first = firstRows == null ? 0 : firstRows[partition];
                return partialState(spec, shipped.value(), rows, weighted, partition, first);
            }, false);
            State total = Jobs.run(() -> states.treeReduce((a, b) -> a.merge(b, ExecutorEngines.current())));
            if (total == null) throw new IllegalArgumentException("data is empty");
            return PartialResults.kernelSums(driver, total.sums(), total.dataRows(), weighted, spec.leaveOneOut());
        } finally {
            shipped.destroy();
        }
    }

    /** Where each partition's rows start in the whole data (leave-one-out pairs row i with query i). */
    private static long[] firstRows(JavaRDD<float[]> data, long queries) {
        List<Long> counts = Jobs.run(() -> data.mapPartitions(rows -> {
            long n = 0;
            for (; rows.hasNext(); rows.next()) n++;
            return Collections.singletonList(n).iterator();
        }).collect());
        long[] first = new long[counts.size()];
        long total = 0;
        for (int p = 0; p < first.length; p++) {
            first[p] = total;
            total += counts.get(p);
        }
        if (total != queries) {
            throw new IllegalArgumentException("leave-one-out needs the queries to be the data rows in order, but "
                    + "queries has " + queries + " rows and data " + total);
        }
        return first;
    }

    private static Iterator<State> partialState(Spec spec, Points queries, Iterator<float[]> rows, boolean weighted,
            int partition, long firstRow) {
        String where = "data partition " + partition;
        DataRows.Block block = DataRows.gather(rows, queries.cols(), weighted, where);
        if (block.count() == 0) return Collections.emptyIterator();
        try {
            Engine engine = ExecutorEngines.current();
            return Collections.singletonList(State.of(engine.partialSums(spec.toKernelSum(block.weights()),
                    queries.matrix(), block.matrix(queries.cols()), -firstRow), block.count())).iterator();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " (rows from " + firstRow + "): " + e.getMessage(), e);
        }
    }

    /**
     * Drifting whose data lives in {@code data} (cache it: every step runs one job): each step's
     * pull of the data is a kernel-sum reduction split by data, the particles' push runs on the
     * driver's engine. The Laplace and Gaussian-gradient fields; {@code start}: at least 2 particles.
     */
    public static FloatMatrix drift(Drifting drifting, JavaRDD<float[]> data, FloatMatrix start) {
        if (drifting == null) throw new IllegalArgumentException("drifting is null");
        if (data == null) throw new IllegalArgumentException("data is null");
        return drifting.run(ExecutorEngines.current(), (engine, spec, particles) -> kernelSums(spec, particles, data)
                .mean(), start);
    }

    // ---- split by queries -------------------------------------------------------------------

    /**
     * The queries with their KDE score against {@code data} appended as {@code outputColumn}
     * (array of d floats). The spec's bandwidth is common to all queries; weights, if any, are a
     * host vector of the data's rows.
     */
    public static Dataset<Row> withScore(Dataset<Row> queries, String featuresColumn, KernelSum spec,
            FloatMatrix data, String outputColumn) {
        return appendColumn(queries, featuresColumn, spec, data, outputColumn, true);
    }

    /** The queries with their KDE log-density against {@code data} appended as {@code outputColumn} (float). */
    public static Dataset<Row> withLogDensity(Dataset<Row> queries, String featuresColumn, KernelSum spec,
            FloatMatrix data, String outputColumn) {
        return appendColumn(queries, featuresColumn, spec, data, outputColumn, false);
    }

    private static Dataset<Row> appendColumn(Dataset<Row> queries, String featuresColumn, KernelSum spec,
            FloatMatrix data, String outputColumn, boolean score) {
        if (queries == null) throw new IllegalArgumentException("queries is null");
        if (featuresColumn == null || outputColumn == null) {
            throw new IllegalArgumentException("featuresColumn and outputColumn must be given");
        }
        if (data == null || data.rows() == 0) throw new IllegalArgumentException("data is empty");
        if (spec == null) throw new IllegalArgumentException("spec is null");
        if (spec.leaveOneOut()) throw new IllegalArgumentException("leave-one-out needs queries that are the data: split by data");
        if (!(spec.bandwidth() instanceof io.kgen.Bandwidth.Common)) {
            throw new IllegalArgumentException("split by queries takes a common bandwidth, got " + spec.bandwidth());
        }
        float[] weights = spec.weights() == null ? null : ((FloatMatrix) spec.weights()).toArray();
        Spec shippedSpec = Spec.of(spec.withWeights((io.kgen.Matrix) null));
        // the engine's own checks of the spec and the data, on the driver
        ExecutorEngines.current().partialSums(spec, data.copyRows(0, 1), data, 0);

        StructType schema = queries.schema().add(outputColumn,
                score ? DataTypes.createArrayType(DataTypes.FloatType, false) : DataTypes.FloatType, false);
        int featuresIndex = queries.schema().fieldIndex(featuresColumn);
        SparkSession session = queries.sparkSession();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
        Broadcast<Points> shipped = sc.broadcast(Points.of(data));
        int d = data.cols();
        JavaRDD<Row> rows = queries.javaRDD().mapPartitionsWithIndex((partition, it) -> {
            List<Row> in = new ArrayList<>();
            it.forEachRemaining(in::add);
            if (in.isEmpty()) return Collections.emptyIterator();
            FloatMatrix q = FloatMatrix.heap(in.size(), d);
            for (int i = 0; i < in.size(); i++) {
                float[] x = DataRows.features(in.get(i), featuresIndex);
                if (x.length != d) {
                    throw new IllegalArgumentException("query partition " + partition + ", row " + i + ": has "
                            + x.length + " values, expected " + d);
                }
                q.setRow(i, x);
            }
            Engine engine = ExecutorEngines.current();
            KernelSum kernelSum = shippedSpec.toKernelSum(weights);
            FloatMatrix y = shipped.value().matrix();
            FloatMatrix result = score ? engine.score(kernelSum, q, y) : engine.logDensity(kernelSum, q, y);
            List<Row> out = new ArrayList<>(in.size());
            for (int i = 0; i < in.size(); i++) {
                Object[] values = new Object[in.get(i).size() + 1];
                for (int c = 0; c < values.length - 1; c++) values[c] = in.get(i).get(c);
                values[values.length - 1] = score ? result.row(i) : result.get(i, 0);
                out.add(RowFactory.create(values));
            }
            return out.iterator();
        }, true);
        return session.createDataFrame(rows, schema);
    }

    // ---- split by particles -----------------------------------------------------------------

    /** {@code count} reverse-SDE samples, the particles split into {@code partitions} blocks. */
    public static FloatMatrix sample(JavaSparkContext sc, ReverseSde sampler, FloatMatrix data, long count,
            int partitions) {
        if (sampler == null) throw new IllegalArgumentException("sampler is null");
        return sampleBlocks(sc, data, count, partitions,
                (engine, y, first, n) -> sampler.sample(engine, y, first, n));
    }

    /** {@code count} KDE samples (DKGM stage 1), the particles split into {@code partitions} blocks. */
    public static FloatMatrix sample(JavaSparkContext sc, KdeSampler sampler, FloatMatrix data, long count,
            int partitions) {
        if (sampler == null) throw new IllegalArgumentException("sampler is null");
        return sampleBlocks(sc, data, count, partitions,
                (engine, y, first, n) -> sampler.sample(engine, y, first, n));
    }

    /** One block of particles: first .. first + count - 1 of the whole run. */
    private interface BlockSampler extends java.io.Serializable {
        FloatMatrix sample(Engine engine, FloatMatrix data, long first, long count);
    }

    private static FloatMatrix sampleBlocks(JavaSparkContext sc, FloatMatrix data, long count, int partitions,
            BlockSampler sampler) {
        if (sc == null) throw new IllegalArgumentException("sc is null");
        if (data == null || data.rows() == 0) throw new IllegalArgumentException("data is empty");
        if (count < 1) throw new IllegalArgumentException("count must be >= 1, got " + count);
        if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        int d = data.cols();
        if (count * d > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("count " + count + " x d " + d + " samples do not fit one Java array "
                    + "on the driver: sample in several runs");
        }
        List<long[]> blocks = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            long first = count * p / partitions;
            long n = count * (p + 1) / partitions - first;
            if (n > 0) blocks.add(new long[] {first, n});
        }
        Broadcast<Points> shipped = sc.broadcast(Points.of(data));
        try {
            List<Points> parts = Jobs.run(() -> sc.parallelize(blocks, blocks.size())
                    .map(block -> Points.of(sampler.sample(ExecutorEngines.current(), shipped.value().matrix(),
                            block[0], block[1])))
                    .collect());
            FloatMatrix out = FloatMatrix.heap(count, d);
            long row = 0;
            for (Points part : parts) {  // collect keeps partition order: blocks in particle order
                FloatMatrix m = part.matrix();
                for (long i = 0; i < m.rows(); i++) out.setRow(row++, m.row(i));
            }
            return out;
        } finally {
            shipped.destroy();
        }
    }
}
