package io.kgen;

/**
 * A row-major float32 matrix in an engine's context memory (GPU memory on a CUDA engine, native
 * host memory on a CPU engine), so repeated calls do not copy. Created by
 * {@link Engine#allocate}, {@link Engine#upload} or {@link Engine#wrapDevicePointer}; freed by
 * {@link #close()} (idempotent) or when its engine closes.
 */
public final class DeviceMatrix implements Matrix, AutoCloseable {
    private final Engine engine;
    private final long rows;
    private final int cols;
    private final boolean owned;
    private volatile long address;

    DeviceMatrix(Engine engine, long rows, int cols, long address, boolean owned) {
        this.engine = engine;
        this.rows = rows;
        this.cols = cols;
        this.address = address;
        this.owned = owned;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    public Engine engine() {
        return engine;
    }

    public boolean isClosed() {
        return address == 0 && rows * cols > 0;
    }

    /** The context address (a CUDA device pointer on a CUDA engine), for interop. */
    public long address() {
        if (isClosed()) throw new IllegalStateException("device matrix " + this + " is closed");
        return address;
    }

    /** A host copy. */
    public FloatMatrix download() {
        return engine.download(this);
    }

    @Override
    public void close() {
        engine.release(this);
    }

    /** Called by the engine under its lock: forgets the address, returns it if this owned it. */
    long detach() {
        long a = address;
        address = 0;
        return owned ? a : 0;
    }

    @Override
    public String toString() {
        return "DeviceMatrix[" + rows + " x " + cols + (isClosed() ? ", closed]" : "]");
    }
}
