package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import java.util.HashMap;
import java.util.Map;

/**
 * The engine of one sampling run and its scratch matrices: allocated on first use, reused by
 * every step (no allocation inside the loop), freed when the run ends.
 */
public final class Workspace implements AutoCloseable {
    private final Engine engine;
    private final Map<String, DeviceMatrix> buffers = new HashMap<>();

    public Workspace(Engine engine) {
        this.engine = Checks.notNull(engine, "engine");
    }

    public Engine engine() {
        return engine;
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
