package io.kgen;

/**
 * A row-major float32 matrix in an engine's context memory (GPU memory on a CUDA engine, native
 * host memory on a CPU engine), so repeated calls do not copy. Created by
 * {@link Engine#allocate}, {@link Engine#upload} or {@link Engine#wrapDevicePointer}; freed by
 * {@link #close()} (idempotent) or when its engine closes.
 *
 * <p>A matrix the engine allocated carries a mark once the engine has scanned its values and
 * found them finite; engine writes into it clear the mark. Later calls trust a marked matrix, so a
 * sampler scans its unchanged data set once, not at every step. Wrapped memory is never marked:
 * the engine cannot see who else writes it.
 */
public final class DeviceMatrix implements Matrix, AutoCloseable {
    private final NativeContext context;
    private final long rows;
    private final int cols;
    private final boolean owned;
    private volatile long address;
    private volatile boolean checkedFinite;

    DeviceMatrix(NativeContext context, long rows, int cols, long address, boolean owned) {
        this.context = context;
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

    public boolean isClosed() {
        return (address == 0 && size() > 0) || context.isClosed();
    }

    /** The context address (a CUDA device pointer on a CUDA engine), for interop. */
    public long address() {
        if (isClosed()) throw new IllegalStateException("device matrix " + this + " is closed");
        return address;
    }

    /** A host (heap) copy. */
    public FloatMatrix download() {
        FloatMatrix host = FloatMatrix.heap(rows, cols);
        if (size() == 0) return host;
        context.lock.lock();
        try {
            context.copyToHost(host, address(), "a device matrix");
        } finally {
            context.lock.unlock();
        }
        return host;
    }

    @Override
    public void close() {
        context.lock.lock();
        try {
            if (owned && address != 0) context.free(address);
            address = 0;
        } finally {
            context.lock.unlock();
        }
    }

    boolean belongsTo(NativeContext c) {
        return context == c;
    }

    /** Whether the engine found every value finite and has not written the matrix since. */
    boolean checkedFinite() {
        return owned && checkedFinite;
    }

    void markCheckedFinite(boolean finite) {
        checkedFinite = finite;
    }

    @Override
    public String toString() {
        return "DeviceMatrix[" + rows + " x " + cols + (isClosed() ? ", closed]" : "]");
    }
}
