package io.kgen;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One engine call: takes the context's lock, places each operand in context memory (checking its
 * values first where the call needs them finite), runs the native function, copies host outputs
 * back, frees its temporaries and lets the lock go.
 *
 * <p>Placement: context matrices are used as they are; on a CPU engine off-heap host matrices
 * are used in place; other host matrices go through temporaries. Finite checks: a host matrix is
 * scanned on the host before it is copied; a context matrix is scanned on the context unless it
 * carries the engine's mark (see {@link DeviceMatrix}), and is marked when clean.
 */
final class Call implements AutoCloseable {
    private final NativeContext context;
    private final Consumer<Matrix> scanListener;
    private final List<Long> temporaries = new ArrayList<>();
    private final List<Runnable> copyBacks = new ArrayList<>();

    Call(NativeContext context, Consumer<Matrix> scanListener) {
        this.context = context;
        this.scanListener = scanListener;
        context.lock.lock();
        try {
            context.handle();
        } catch (RuntimeException e) {
            context.lock.unlock();
            throw e;
        }
    }

    NativeContext context() {
        return context;
    }

    long handle() {
        return context.handle();
    }

    /** Where the call reads m (its values unchecked). */
    long input(Matrix m, String name) {
        if (m instanceof DeviceMatrix dm) return owned(dm, name);
        FloatMatrix host = (FloatMatrix) m;
        if (inPlace(host)) return host.address();
        long p = temporary(host, name);
        context.copyToContext(p, host, name);
        return p;
    }

    /** Where the call reads m, whose values must all be finite. */
    long finiteInput(Matrix m, String name) {
        if (m instanceof FloatMatrix host) {
            requireClean(host.scan(Float.NEGATIVE_INFINITY), m, name, at -> host.getFlat(at));
            return input(m, name);
        }
        DeviceMatrix dm = (DeviceMatrix) m;
        long address = owned(dm, name);
        if (!dm.checkedFinite()) {
            if (scanListener != null) scanListener.accept(dm);
            requireClean(context.scan(address, dm.size(), Float.NEGATIVE_INFINITY, name), m, name,
                    at -> context.read(address, at, name));
            dm.markCheckedFinite(true);
        }
        return address;
    }

    /** Where the call writes m (copied back by {@link #complete}). */
    long output(Matrix m, String name) {
        if (m instanceof DeviceMatrix dm) {
            long address = owned(dm, name);
            dm.markCheckedFinite(false);
            return address;
        }
        FloatMatrix host = (FloatMatrix) m;
        if (inPlace(host)) return host.address();
        long p = temporary(host, name);
        copyBacks.add(() -> context.copyToHost(host, p, name));
        return p;
    }

    /** Where the call reads (all values finite) and writes m. */
    long inout(Matrix m, String name) {
        return readWrite(m, finiteInput(m, name), name);
    }

    /** Where the call reads and writes m, whatever its values (e.g. a partial state's -inf). */
    long inoutUnchecked(Matrix m, String name) {
        return readWrite(m, input(m, name), name);
    }

    /** Tells the call that it writes m, already placed at p (an input it updates in place). */
    long readWrite(Matrix m, long p, String name) {
        if (m instanceof DeviceMatrix dm) dm.markCheckedFinite(false);
        else if (!inPlace((FloatMatrix) m)) copyBacks.add(() -> context.copyToHost((FloatMatrix) m, p, name));
        return p;
    }

    /** Where the call writes an optional output of rows x cols (a vector when cols is 1); 0 when null. */
    long optionalOutput(Matrix out, long rows, int cols, String name) {
        return out == null ? 0 : requiredOutput(out, rows, cols, name);
    }

    long requiredOutput(Matrix out, long rows, int cols, String name) {
        if (cols == 1) Checks.vector(out, rows, name);
        else Checks.rowsCols(out, rows, cols, name);
        return output(out, name);
    }

    /** Scratch context memory for the call. */
    long scratch(long bytes, String name) {
        long p = context.alloc(bytes, name);
        temporaries.add(p);
        return p;
    }

    /** Throws if the native call failed; else the host outputs receive their values. */
    void complete(int status, String op) {
        NativeContext.check(status, op);
        for (Runnable r : copyBacks) r.run();
    }

    @Override
    public void close() {
        try {
            for (long p : temporaries) context.free(p);
        } finally {
            context.lock.unlock();
        }
    }

    long owned(DeviceMatrix m, String name) {
        if (!m.belongsTo(context)) throw new IllegalArgumentException(name + " belongs to another engine");
        if (m.isClosed()) throw new IllegalArgumentException(name + " is closed");
        return m.address();
    }

    @FunctionalInterface
    interface ValueAt {
        float at(long index);
    }

    /** Throws, naming the first bad value and where it is, unless the scan found none. */
    static void requireClean(ValueScan scan, Matrix m, String name, ValueAt value) {
        if (scan.clean()) return;
        throw new IllegalArgumentException(name + " contains " + scan.bad() + " non-finite value(s); the first is "
                + value.at(scan.first()) + " at " + Checks.at(scan.first(), m.cols()));
    }

    private boolean inPlace(FloatMatrix host) {
        return context.backend() == Backend.CPU && host.isOffHeap();
    }

    private long temporary(FloatMatrix host, String name) {
        return scratch(host.bytes(), name + " (" + host.rows() + " x " + host.cols() + ")");
    }
}
