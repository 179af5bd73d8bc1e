package io.kgen.spark;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import io.kgen.data.Dataset;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The two Spark jobs of the README on {@code local[*]} (or the master given as the first
 * argument): a score split by data, and a reverse-SDE run split by particles, each checked
 * against one engine in this JVM.
 */
public final class SparkDemo {
    private SparkDemo() {}

    public static void main(String[] args) {
        String master = args.length > 0 ? args[0] : "local[*]";
        SparkSession spark = SparkSession.builder().master(master).appName("kgen-spark-demo")
                .config("spark.ui.enabled", "false").getOrCreate();
        try (Engine local = Engine.open()) {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            FloatMatrix data = Dataset.SWISS_ROLL.sample(20_000, 1);
            List<float[]> rows = new ArrayList<>();
            for (long i = 0; i < data.rows(); i++) rows.add(data.row(i));
            JavaRDD<float[]> rdd = sc.parallelize(rows, 8).cache();

            // 1. Split by data: 1,000 queries against 20,000 rows in 8 partitions.
            FloatMatrix queries = data.copyRows(0, 1000);
            KernelSum spec = KernelSum.gaussian(0.1);
            long t0 = System.nanoTime();
            FloatMatrix score = KgenSpark.score(spec, queries, rdd);
            double seconds = (System.nanoTime() - t0) * 1e-9;
            FloatMatrix want = local.score(spec, queries, data);
            System.out.printf("score split by data (8 partitions): %.3f s; largest difference from one engine "
                    + "%.2e%n", seconds, largestDifference(want, score));

            // 2. Split by particles: 2,000 reverse-SDE samples in 4 blocks.
            ReverseSde sde = ReverseSde.builder().score(new ScoreEstimator.TimeShift(0.05)).steps(100).seed(7).build();
            t0 = System.nanoTime();
            FloatMatrix samples = KgenSpark.sample(sc, sde, data, 2000, 4);
            seconds = (System.nanoTime() - t0) * 1e-9;
            boolean same = java.util.Arrays.equals(sde.sample(local, data, 2000).toArray(), samples.toArray());
            System.out.printf("reverse SDE split by particles (4 blocks): %.3f s; %s one engine's samples%n", seconds,
                    same ? "the same bits as" : "NOT the same bits as");
            System.out.println("engine: " + local.describe());
        } finally {
            spark.stop();
        }
    }

    private static double largestDifference(FloatMatrix a, FloatMatrix b) {
        double worst = 0;
        for (long i = 0; i < a.size(); i++) worst = Math.max(worst, Math.abs(a.getFlat(i) - b.getFlat(i)));
        return worst;
    }
}
