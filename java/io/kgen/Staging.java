package io.kgen;

import static io.kgen.nativeapi.KgenNative.*;

import java.util.ArrayList;
import java.util.List;

/**
 * Places the matrices of one engine call in context memory and copies host outputs back: device
 * matrices are used as they are; on a CPU engine off-heap host matrices are used in place; other
 * host matrices go through temporaries, freed when the call ends. Used under the engine's lock.
 */
final class Staging implements AutoCloseable {
    private final Engine engine;
    private final long context;
    private final List<Long> temporaries = new ArrayList<>();
    private final List<Runnable> copyBacks = new ArrayList<>();

    Staging(Engine engine) {
        this.engine = engine;
        this.context = engine.handle();
    }

    /** Where the call reads m. */
    long input(Matrix m, String name) {
        if (m instanceof DeviceMatrix dm) return engine.owned(dm, name);
        FloatMatrix host = (FloatMatrix) m;
        if (inPlace(host)) return host.address();
        long p = temporary(host, name);
        int status = host.heapArray() != null ? kgen_copy_to_context(context, p, host.heapArray(), host.bytes())
                : kgen_copy_to_context(context, p, host.address(), host.bytes());
        Engine.check(status, "copying " + name + " to the context");
        return p;
    }

    /** Where the call writes m (copied back by {@link #finish}). */
    long output(Matrix m, String name) {
        if (m instanceof DeviceMatrix dm) return engine.owned(dm, name);
        FloatMatrix host = (FloatMatrix) m;
        if (inPlace(host)) return host.address();
        long p = temporary(host, name);
        copyBacks.add(() -> download(p, host, name));
        return p;
    }

    /** Where the call reads and writes m. */
    long inout(Matrix m, String name) {
        long p = input(m, name);
        markWritten(m, p, name);
        return p;
    }

    /** An input the call also writes: copied back to the host matrix it came from. */
    void markWritten(Matrix m, long address, String name) {
        if (m instanceof FloatMatrix host && !inPlace(host)) copyBacks.add(() -> download(address, host, name));
    }

    /** Scratch memory for the call. */
    long temporaryBytes(long bytes, String name) {
        long p = engine.alloc(bytes, name);
        temporaries.add(p);
        return p;
    }

    /** After a successful call: the host outputs receive their values. */
    void finish() {
        for (Runnable r : copyBacks) r.run();
    }

    @Override
    public void close() {
        for (long p : temporaries) kgen_free(context, p);
    }

    private boolean inPlace(FloatMatrix host) {
        return engine.backend() == Backend.CPU && host.isOffHeap();
    }

    private long temporary(FloatMatrix host, String name) {
        return temporaryBytes(host.bytes(), name + " (" + host.rows() + " x " + host.cols() + ")");
    }

    private void download(long from, FloatMatrix host, String name) {
        int status = host.heapArray() != null ? kgen_copy_to_host(context, host.heapArray(), from, host.bytes())
                : kgen_copy_to_host(context, host.address(), from, host.bytes());
        Engine.check(status, "copying " + name + " to the host");
    }
}
