package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.RandomStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The engine of one sampling run, where its particles start in the whole run, and its scratch
 * matrices: allocated on first use, reused by every step (no allocation inside the loop), freed
 * when the run ends.
 */
public final class Workspace implements AutoCloseable {
    private final Engine engine;
    private final long firstParticle;
    private final Map<String, DeviceMatrix> buffers = new HashMap<>();

    public Workspace(Engine engine) {
        this(engine, 0);
    }

    /**
     * A run of particles firstParticle, firstParticle + 1, ... of a larger run (split across
     * engines or machines): every draw is keyed by the particle's place in the larger run.
     */
    public Workspace(Engine engine, long firstParticle) {
        this.engine = Checks.notNull(engine, "engine");
        this.firstParticle = Checks.atLeast(firstParticle, 0, "firstParticle");
    }

    public Engine engine() {
        return engine;
    }

    /** The draws of (seed, stream) for this run's particles of {@code cols} coordinates each. */
    public RandomStream draws(long seed, long stream, int cols) {
        return RandomStream.of(seed, stream).at(firstParticle * cols);
    }

    /** The scratch matrix called {@code name}, rows x cols (contents left from its last use). */
    public DeviceMatrix buffer(String name, long rows, int cols) {
        DeviceMatrix m = buffers.get(name);
        if (m != null && (m.rows() != rows || m.cols() != cols)) {
            m.close();
            m = null;
        }
        if (m == null) {
            m = engine.allocate(rows, cols);
            buffers.put(name, m);
        }
        return m;
    }

    @Override
    public void close() {
        buffers.values().forEach(DeviceMatrix::close);
        buffers.clear();
    }
}
