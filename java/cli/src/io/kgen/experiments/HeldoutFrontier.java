package io.kgen.experiments;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.metrics.Metrics;
import io.kgen.plot.LinePlot;

/**
 * One data set split into a training part and a held-out part, and how a sample is judged against
 * them (the held-out frontier of {@link HeldoutExperiment}): memorization ratio against the
 * training set, NN ratio (median distance to the nearest training point over the same for
 * held-out points), and the unbiased MMD^2 to the held-out set with a Gaussian kernel at the
 * held-out set's median pairwise distance, next to its floor (a training subset of the sample's
 * size against the held-out set).
 */
final class HeldoutFrontier {
    private final Engine engine;
    private final HeldoutExperiment.Setting setting;
    private final FloatMatrix train;
    private final FloatMatrix heldOut;
    private final double width;
    private final double heldNearest;
    private final double floor;
    private final double realMemorization;

    /** What one sample scores. */
    record Scores(double memorization, double nnRatio, double mmd2) {}

    HeldoutFrontier(Engine engine, HeldoutExperiment.Setting setting, long seed) {
        this.engine = engine;
        this.setting = setting;
        train = setting.set().sample(setting.train(), seed);
        heldOut = setting.set().heldOut(setting.heldOut(), seed);
        width = medianDistance(heldOut, 500);
        heldNearest = SwissRollExperiment.median(Metrics.nearestDistances(engine, heldOut, train));
        floor = Metrics.mmd2(engine, train.copyRows(0, setting.samples()), heldOut, width);
        realMemorization = Metrics.memorizationRatio(engine, heldOut, train);
    }

    FloatMatrix train() {
        return train;
    }

    double floor() {
        return floor;
    }

    /** The held-out points' own memorization ratio: new points that pass the d1/d2 test by chance. */
    double realMemorization() {
        return realMemorization;
    }

    String name() {
        return setting.set().cliName();
    }

    Scores score(FloatMatrix x) {
        double nnRatio = SwissRollExperiment.median(Metrics.nearestDistances(engine, x, train)) / heldNearest;
        return new Scores(Metrics.memorizationRatio(engine, x, train), nnRatio, Metrics.mmd2(engine, x, heldOut, width));
    }

    /** An empty frontier plot: memorization against MMD^2, a curve per sampler to be added. */
    LinePlot plot() {
        return new LinePlot(name() + ": memorization against MMD^2 to held-out data (" + setting.samples()
                + " samples, N = " + setting.train() + ")", "MMD^2 to held-out", "memorization ratio");
    }

    /** Real data's own point: the MMD^2 floor and the held-out points' memorization ratio. */
    void addFloor(LinePlot plot) {
        plot.series("held-out points (MMD^2 floor)", new double[] {floor}, new double[] {realMemorization});
    }

    /** Median pairwise distance among the first {@code maxRows} rows: the MMD kernel's width. */
    static double medianDistance(FloatMatrix x, int maxRows) {
        int n = (int) Math.min(maxRows, x.rows());
        double[] d = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            float[] a = x.row(i);
            for (int j = i + 1; j < n; j++) {
                float[] b = x.row(j);
                double sum = 0;
                for (int c = 0; c < a.length; c++) {
                    double diff = (double) a[c] - b[c];
                    sum += diff * diff;
                }
                d[k++] = Math.sqrt(sum);
            }
        }
        return SwissRollExperiment.median(d);
    }
}
