package io.kgen.bench;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.data.Dataset;
import io.kgen.spark.KgenSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Spark's overhead on a score split by data: the same score on {@code local[2]} with 1 to 32
 * partitions (data cached in Spark) against one engine in this JVM, and a tiny job whose time is
 * all overhead. Prints a Markdown table: median ms of 9 runs after 3 warm-ups, and the fastest
 * (Spark's times scatter: garbage collection and its scheduler's threads).
 *   bench/run SparkBench [master]
 */
public final class SparkBench {
    private static final int RUNS = 9;

    private SparkBench() {}

    public static void main(String[] args) {
        String master = args.length > 0 ? args[0] : "local[2]";
        SparkSession spark = SparkSession.builder().master(master).appName("kgen-spark-bench")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (Engine engine = Engine.open()) {
            FloatMatrix data = Dataset.SWISS_ROLL.sample(20_000, 1);
            FloatMatrix queries = data.copyRows(0, 1000);
            KernelSum spec = KernelSum.gaussian(0.1);
            double pairs = (double) queries.rows() * data.rows();
            System.out.println("# kgen on Spark: a score split by data, " + master + " against one engine");
            System.out.println();
            System.out.println("engine: " + engine.describe() + "; Spark " + spark.version() + "; "
                    + Runtime.getRuntime().availableProcessors() + " cores");
            System.out.println();
            System.out.println("| job | partitions | ms (median) | ms (fastest) | Mpairs/s | over one engine (ms) | per partition (ms) |");
            System.out.println("|---|---|---|---|---|---|---|");
            double[] one = time(() -> engine.score(spec, queries, data));
            double alone = one[0];
            System.out.printf("| one engine, 1000 x 20000 x 2 | - | %.1f | %.1f | %.0f | - | - |%n", alone, one[1],
                    pairs / alone / 1e3);
            for (int partitions : new int[] {1, 2, 8, 32}) {
                JavaRDD<float[]> rdd = cached(sc, data, partitions);
                double[] t = time(() -> KgenSpark.score(spec, queries, rdd));
                double ms = t[0];
                System.out.printf("| Spark, 1000 x 20000 x 2 | %d | %.1f | %.1f | %.0f | %.1f | %.2f |%n", partitions, ms,
                        t[1], pairs / ms / 1e3, ms - alone, (ms - alone) / partitions);
                rdd.unpersist();
            }
            FloatMatrix few = data.copyRows(0, 100);
            FloatMatrix single = data.copyRows(0, 1);
            double tinyAlone = time(() -> engine.score(spec, single, few))[0];
            for (int partitions : new int[] {1, 8}) {
                JavaRDD<float[]> rdd = cached(sc, few, partitions);
                double[] t = time(() -> KgenSpark.score(spec, single, rdd));
                System.out.printf("| Spark, 1 x 100 x 2 (all overhead) | %d | %.1f | %.1f | - | %.1f | %.2f |%n",
                        partitions, t[0], t[1], t[0] - tinyAlone, (t[0] - tinyAlone) / partitions);
                rdd.unpersist();
            }
        } finally {
            spark.stop();
        }
    }

    private static JavaRDD<float[]> cached(JavaSparkContext sc, FloatMatrix m, int partitions) {
        List<float[]> rows = new ArrayList<>();
        for (long i = 0; i < m.rows(); i++) rows.add(m.row(i));
        JavaRDD<float[]> rdd = sc.parallelize(rows, partitions).cache();
        rdd.count();
        return rdd;
    }

    /** {median, fastest} wall time in ms of RUNS runs after 3 warm-ups. */
    private static double[] time(Runnable job) {
        for (int w = 0; w < 3; w++) job.run();
        double[] ms = new double[RUNS];
        for (int r = 0; r < RUNS; r++) {
            long t0 = System.nanoTime();
            job.run();
            ms[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[RUNS / 2], ms[0]};
    }
}
