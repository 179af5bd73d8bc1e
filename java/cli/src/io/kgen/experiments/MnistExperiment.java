package io.kgen.experiments;

import io.kgen.NearestTwo;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.data.Dataset;
import io.kgen.data.Mnist;
import io.kgen.metrics.Metrics;
import io.kgen.plot.ImageGrid;
import io.kgen.sampling.BandwidthRule;
import io.kgen.sampling.ReverseSde;
import io.kgen.sampling.ScoreEstimator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * arXiv 2505.22841 on MNIST (784-d pixels): reverse SDE with the empirical score against the
 * time-shift smoothed score, sigma a fraction of Silverman's bandwidth. Claim checked: the
 * empirical score reproduces training images (memorization), smoothing stops that; the pictures
 * show each sample beside its nearest training image, i.e. what the smoothed samples are.
 *
 * <p>No final Tweedie step, so that the pictures show the trajectories' end points themselves.
 * t_min is set so that the final noise norm sqrt(t_min d) is 2% of the median nearest-neighbour
 * distance within the whole training set (the library's default estimates the same spacing from
 * 256 rows); a larger final noise would hide whether the empirical score memorizes.
 *
 * <p>What the pictures show: with sigma below the images' spacing the time-shift samples are
 * training images plus pixel noise of norm about sigma sqrt(d); the d1/d2 criterion stops counting
 * them as copies once that noise passes about a third of the spacing, not because they are new digits.
 */
public final class MnistExperiment implements Experiment {
    static final double FINAL_NOISE = 0.02;

    @Override
    public String name() {
        return "mnist";
    }

    @Override
    public String description() {
        return "MNIST: empirical vs smoothed score (memorization, nearest training image of each sample)";
    }

    @Override
    public Table run(Settings s) throws Exception {
        Engine engine = s.engine();
        int n = s.pick(2000, 500);
        int samples = s.pick(64, 16);
        int steps = s.pick(300, 100);
        FloatMatrix train = Dataset.MNIST.sample(n, s.seed());
        double silverman = BandwidthRule.silverman(train);
        double spacing = SwissRollExperiment.median(nearestWithin(engine, train));
        double tMin = Math.pow(FINAL_NOISE * spacing, 2) / train.cols();
        Map<String, ScoreEstimator> scores = new LinkedHashMap<>();
        scores.put("empirical", new ScoreEstimator.Empirical());
        for (double f : s.small() ? new double[] {0.5} : new double[] {0.25, 0.5}) {
            scores.put("time-shift " + f + " silverman", new ScoreEstimator.TimeShift(f * silverman));
        }

        Table table = new Table("N", "score", "sigma", "memorization ratio", "median NN to train",
                "median NN within train", "seconds");
        for (Map.Entry<String, ScoreEstimator> e : scores.entrySet()) {
            long start = System.nanoTime();
            FloatMatrix x = ReverseSde.builder().score(e.getValue()).steps(steps).tMin(tMin).tweedie(false).seed(s.seed())
                    .build().sample(engine, train, samples);
            double seconds = (System.nanoTime() - start) / 1e9;
            double sigma = e.getValue() instanceof ScoreEstimator.TimeShift t ? t.sigma() : 0.0;
            table.row(n, e.getKey(), sigma, Metrics.memorizationRatio(engine, x, train),
                    SwissRollExperiment.median(Metrics.nearestDistances(engine, x, train)), spacing, seconds);
            String file = "mnist-" + e.getKey().replace(' ', '-');
            ImageGrid.writePng(s.out().resolve(file + "-samples.png"), x, Mnist.ROWS, Mnist.COLS, 8, 2);
            ImageGrid.writePng(s.out().resolve(file + "-nearest.png"), besideNearest(engine, x, train), Mnist.ROWS,
                    Mnist.COLS, 8, 2);
        }
        table.write(s.out(), "mnist");
        return table;
    }

    /** Distance from every training image to its nearest other training image. */
    static double[] nearestWithin(Engine engine, FloatMatrix train) {
        NearestTwo near = engine.nearestTwo(train, train, true);
        double[] out = new double[(int) train.rows()];
        for (int i = 0; i < out.length; i++) out[i] = near.distances().get(i, 0);
        return out;
    }

    /** Rows sample 0, its nearest training image, sample 1, ...: in an even column count, pairs side by side. */
    static FloatMatrix besideNearest(Engine engine, FloatMatrix x, FloatMatrix train) {
        long[] nearest = engine.nearestTwo(x, train, false).indices();
        FloatMatrix out = FloatMatrix.heap(2 * x.rows(), x.cols());
        for (int i = 0; i < x.rows(); i++) {
            out.setRow(2L * i, x.row(i));
            out.setRow(2L * i + 1, train.row(nearest[2 * i]));
        }
        return out;
    }
}
