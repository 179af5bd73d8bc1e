package io.kgen.sampling;

import io.kgen.RandomStream;
import io.kgen.Checks;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.random.Philox;

/**
 * DKGM stage 1 (MATH.md section 4): x = y_I + h xi with I uniform over the data. These are exact
 * samples of the data blurred to noise level t = h^2. The index draw uses 24-bit Philox uniforms,
 * so for data beyond 2^24 rows the first rows are favoured by at most n / 2^24 relative.
 */
public final class KdeSampler implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final double bandwidth;
    private final long seed;

    public KdeSampler(double bandwidth, long seed) {
        Checks.positiveFinite(bandwidth, "bandwidth");
        this.bandwidth = bandwidth;
        this.seed = seed;
    }

    public double bandwidth() {
        return bandwidth;
    }

    /** {@code count} samples, left in the engine's context (the caller closes them). */
    public DeviceMatrix sampleOnContext(Engine engine, FloatMatrix data, long count) {
        return sampleOnContext(engine, data, 0, count);
    }

    /**
     * Samples firstParticle .. firstParticle + count - 1 of a larger run, left in the engine's
     * context: the same bits as those rows of one run from 0 (how a cluster splits a run).
     */
    public DeviceMatrix sampleOnContext(Engine engine, FloatMatrix data, long firstParticle, long count) {
        Checks.nonEmpty(data, "data");
        Checks.atLeast(count, 1, "count");
        Checks.atLeast(firstParticle, 0, "firstParticle");
        long n = data.rows();
        int d = data.cols();
        FloatMatrix picked = FloatMatrix.heap(count, d);
        for (long i = 0; i < count; i++) {
            long index = Math.min(n - 1, (long) (Philox.uniform(seed, Streams.of(Streams.KDE_PICK, 0, 0), firstParticle + i) * n));
            float[] row = data.row(index);
            for (int k = 0; k < d; k++) picked.set(i, k, row[k]);
        }
        DeviceMatrix x = engine.upload(picked);
        try {
            engine.addNoise(x, bandwidth, RandomStream.of(seed, Streams.of(Streams.KDE_NOISE, 0, 0)).at(firstParticle * d));
            return x;
        } catch (RuntimeException e) {
            x.close();
            throw e;
        }
    }

    public FloatMatrix sample(Engine engine, FloatMatrix data, long count) {
        return sample(engine, data, 0, count);
    }

    /** Samples firstParticle .. firstParticle + count - 1 of a larger run (see {@link #sampleOnContext}). */
    public FloatMatrix sample(Engine engine, FloatMatrix data, long firstParticle, long count) {
        try (DeviceMatrix x = sampleOnContext(engine, data, firstParticle, count)) {
            return x.download();
        }
    }
}
