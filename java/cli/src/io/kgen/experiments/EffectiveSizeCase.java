package io.kgen.experiments;

import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.metrics.EffectiveSize;
import io.kgen.metrics.NearestNeighbourKl;
import io.kgen.random.Philox;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;

/**
 * One case of the effective-size study ({@link EffectiveSizeExperiment}): the Gaussian
 * N(0, diag(1, 1/2, 1/4, ...)) in d dimensions and a time t; training sets of each size, the KL
 * of a generated law to the true p_t = N(0, S + t I) by the nearest-neighbour estimator, averaged
 * over the training sets, and N_eff, the N' whose blurred empirical law p_t^N' is as close.
 */
final class EffectiveSizeCase {
    private static final int SMALLEST = 8;
    private final Settings settings;
    private final double t;
    private final double[] variances;
    private final double[] blurred;
    private final int samples;
    private final int trainingSets;
    private final int largest;
    private final IntToDoubleFunction reference;

    /** What a generated law scored: its KL, N_eff, and where N_eff lies against the reference grid. */
    record Result(double kl, EffectiveSize.Estimate size, String note) {}

    EffectiveSizeCase(Settings s, int d, double t, int largestN) {
        this.settings = s;
        this.t = t;
        samples = s.pick(8000, 6000);
        trainingSets = s.pick(3, 1);
        int repeats = s.pick(5, 2);
        variances = new double[d];
        blurred = new double[d];
        for (int k = 0; k < d; k++) {
            variances[k] = Math.pow(0.5, k);
            blurred[k] = variances[k] + t;
        }
        largest = 64 * largestN;
        Engine engine = s.engine();
        Map<Integer, Double> cache = new HashMap<>();
        reference = n -> cache.computeIfAbsent(n, k -> {
            double sum = 0;
            for (int r = 0; r < repeats; r++) {
                FloatMatrix points = gaussian(k, variances, s.seed() + 7_919L * (r + 1) + k);
                sum += NearestNeighbourKl.toDiagonalGaussian(engine, blur(points, samples, t, s.seed() + r), blurred);
            }
            return sum / repeats;
        });
    }

    int samples() {
        return samples;
    }

    /** The training sets of size n, the a-th size of the study (seeds fixed by a and the set). */
    FloatMatrix[] trainingSets(int a, int n) {
        FloatMatrix[] train = new FloatMatrix[trainingSets];
        for (int r = 0; r < trainingSets; r++) {
            train[r] = gaussian(n, variances, settings.seed() + 1_000_003L * (a + 1) + 101L * r);
        }
        return train;
    }

    /** KL(p_t^N || p_t) averaged over the training sets: each set blurred exactly. */
    double blurredKl(FloatMatrix[] train) {
        double kl = 0;
        for (int r = 0; r < train.length; r++) {
            kl += NearestNeighbourKl.toDiagonalGaussian(settings.engine(), blur(train[r], samples, t, settings.seed() + r),
                    blurred) / train.length;
        }
        return kl;
    }

    /** The law {@code sampler} draws from each training set (as samples at time t), against p_t. */
    Result judge(Function<FloatMatrix, FloatMatrix> sampler, FloatMatrix[] train) {
        double kl = 0;
        for (FloatMatrix set : train) {
            kl += NearestNeighbourKl.toDiagonalGaussian(settings.engine(), sampler.apply(set), blurred) / train.length;
        }
        EffectiveSize.Estimate size = EffectiveSize.estimate(Math.max(kl, 1e-12), reference, SMALLEST, largest, 16);
        String note = size.belowGrid() ? "below grid (<= " + SMALLEST + ")"
                : size.aboveGrid() ? "above grid (>= " + largest + ")" : "in grid";
        return new Result(kl, size, note);
    }

    /**
     * m draws of the blurred empirical law: each point in turn (equal weights, as the law has,
     * without the scatter of random picks) plus N(0, t I).
     */
    static FloatMatrix blur(FloatMatrix points, int m, double t, long seed) {
        int d = points.cols();
        FloatMatrix out = FloatMatrix.heap(m, d);
        double sd = Math.sqrt(t);
        for (int i = 0; i < m; i++) {
            long pick = i % points.rows();
            for (int k = 0; k < d; k++) {
                out.set(i, k, (float) (points.get(pick, k) + sd * Philox.normal(seed, 12, (long) i * d + k)));
            }
        }
        return out;
    }

    /** n draws of N(0, diag(variances)). */
    static FloatMatrix gaussian(int n, double[] variances, long seed) {
        int d = variances.length;
        FloatMatrix out = FloatMatrix.heap(n, d);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                out.set(i, k, (float) (Math.sqrt(variances[k]) * Philox.normal(seed, 13, (long) i * d + k)));
            }
        }
        return out;
    }
}
