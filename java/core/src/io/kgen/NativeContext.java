package io.kgen;

import static io.kgen.nativeapi.KgenNative.*;

import io.kgen.KgenException.Status;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One native kgen context: its handle and lock, the context memory it allocated, copies, value
 * scans, and native status codes turned into exceptions. Every method that touches the handle
 * runs under {@link #lock}, which engine calls hold for their whole duration.
 */
final class NativeContext implements AutoCloseable {
    final ReentrantLock lock = new ReentrantLock();
    private final Backend backend;
    private final int device;
    private final Set<Long> allocations = new HashSet<>();
    private long handle;
    private long scans;

    private NativeContext(Backend backend, int device, long handle) {
        this.backend = backend;
        this.device = device;
        this.handle = handle;
    }

    /** Opens the CPU or CUDA device {@code device} (backend never AUTO). */
    static NativeContext open(Backend backend, int device) {
        NativeLibrary.ensureLoaded();
        long[] handle = {0};
        check(kgen_context_create(backend == Backend.CPU ? 0 : 1, device, handle),
                backend == Backend.CPU ? "opening the CPU backend" : "opening CUDA device " + device);
        return new NativeContext(backend, device, handle[0]);
    }

    /** A CPU context with its own threads, path and instruction set. */
    static NativeContext openCpu(CpuOptions options) {
        NativeLibrary.ensureLoaded();
        long[] handle = {0};
        check(kgen_cpu_context_create(options.threads(), options.path().ordinal(), options.isa().ordinal(), handle),
                "opening the CPU backend (" + (options.threads() == 0 ? "default" : options.threads()) + " threads, "
                        + options.path() + " path, "
                        + options.isa() + " instruction set)");
        return new NativeContext(Backend.CPU, 0, handle[0]);
    }

    /**
     * CUDA device 0 when usable, else the CPU, and the logger ("io.kgen") says why: at DEBUG when
     * there is simply no CUDA (not compiled in, no device), at WARNING when a listed device could
     * not be opened (busy, a driver older than the runtime inside needs), so a library user is
     * quiet by default yet learns why a GPU machine ran on the CPU.
     */
    static NativeContext openBest() {
        NativeLibrary.ensureLoaded();
        if (kgen_cuda_compiled() == 0) {
            LOG.log(System.Logger.Level.DEBUG, "kgen: CPU backend: the native library was built without CUDA");
        } else if (cudaDeviceCount() == 0) {
            LOG.log(System.Logger.Level.DEBUG, "kgen: CPU backend: no usable CUDA device (no NVIDIA driver or no GPU)");
        } else {
            try {
                NativeContext cuda = open(Backend.CUDA, 0);
                LOG.log(System.Logger.Level.DEBUG, "kgen: CUDA backend on device 0");
                return cuda;
            } catch (KgenException e) {
                LOG.log(System.Logger.Level.WARNING, "kgen: CUDA device 0 is listed but could not be opened ("
                        + e.getMessage() + "); using the CPU backend (NVIDIA driver r" + NativeFloor.NVIDIA_DRIVER
                        + "+ is needed)");
            }
        }
        return open(Backend.CPU, 0);
    }

    private static final System.Logger LOG = System.getLogger("io.kgen");

    /** The native library's default CPU thread count (KGEN_THREADS, else every hardware thread). */
    static int defaultCpuThreads() {
        NativeLibrary.ensureLoaded();
        int[] threads = {0};
        check(kgen_cpu_default_threads(threads), "reading the default CPU thread count");
        return threads[0];
    }

    static int cudaDeviceCount() {
        NativeLibrary.ensureLoaded();
        int[] count = {0};
        check(kgen_cuda_device_count(count), "counting CUDA devices");
        return count[0];
    }

    Backend backend() {
        return backend;
    }

    int device() {
        return device;
    }

    boolean isClosed() {
        return handle == 0;
    }

    long handle() {
        if (handle == 0) throw new IllegalStateException("engine is closed");
        return handle;
    }

    String describe() {
        byte[] buffer = new byte[512];
        check(kgen_context_describe(handle(), buffer, buffer.length), "describing the context");
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) end++;
        return new String(buffer, 0, end, StandardCharsets.UTF_8);
    }

    MemoryInfo memoryInfo() {
        long[] free = {0};
        long[] total = {0};
        check(kgen_memory_info(handle(), free, total), "reading memory information");
        return new MemoryInfo(free[0], total[0]);
    }

    /** Context memory of {@code bytes}, freed by {@link #free} or when the context closes. */
    long alloc(long bytes, String what) {
        long[] p = {0};
        int status = kgen_alloc(handle(), bytes, p);
        if (status != 0) {
            throw new KgenException(Status.of(status), "cannot allocate " + what + " (" + bytes + " bytes) in "
                    + (backend == Backend.CUDA ? "CUDA device " + device + " memory" : "host memory") + ": "
                    + kgen_last_error().getString());
        }
        allocations.add(p[0]);
        return p[0];
    }

    int liveAllocations() {
        return allocations.size();
    }

    /** Frees an allocation of this context; a no-op for any other address or after close. */
    void free(long address) {
        if (handle != 0 && allocations.remove(address)) check(kgen_free(handle, address), "freeing context memory");
    }

    void copyToContext(long dst, FloatMatrix host, String name) {
        int status = host.heapArray() != null ? kgen_copy_to_context(handle(), dst, host.heapArray(), host.bytes())
                : kgen_copy_to_context(handle(), dst, host.address(), host.bytes());
        check(status, "copying " + name + " to the context");
    }

    void copyToHost(FloatMatrix host, long src, String name) {
        int status = host.heapArray() != null ? kgen_copy_to_host(handle(), host.heapArray(), src, host.bytes())
                : kgen_copy_to_host(handle(), host.address(), src, host.bytes());
        check(status, "copying " + name + " to the host");
    }

    void copyToHost(long[] host, long src, String name) {
        check(kgen_copy_to_host(handle(), host, src, host.length * (long) Long.BYTES), "copying " + name + " to the host");
    }

    float read(long address, long index, String name) {
        float[] value = new float[1];
        check(kgen_copy_to_host(handle(), value, address + index * Float.BYTES, Float.BYTES), "reading " + name);
        return value[0];
    }

    void copyWithin(long dst, long src, long bytes) {
        if (dst != src) check(kgen_copy_within(handle(), dst, src, bytes), "copying a matrix");
    }

    void fill(long dst, float value, long count) {
        check(kgen_fill(handle(), dst, value, count), "filling a matrix");
    }

    /** Scans count values on the context for NaN, infinities and entries below {@code lower}. */
    ValueScan scan(long address, long count, float lower, String name) {
        long[] bad = {0};
        long[] first = {-1};
        double[] sum = {0};
        check(kgen_scan(handle(), address, count, lower, bad, first, sum), "scanning " + name);
        scans++;
        return new ValueScan(bad[0], first[0], sum[0]);
    }

    /** How many value scans ran on the context so far. */
    long scans() {
        return scans;
    }

    @Override
    public void close() {
        if (handle == 0) return;
        for (long address : allocations) kgen_free(handle, address);
        allocations.clear();
        long closing = handle;
        handle = 0;
        check(kgen_context_destroy(closing), "closing the engine");
    }

    /**
     * A failed native call as an exception: a rejected argument (the native checks name it and its
     * value) is an {@link IllegalArgumentException}, anything else a {@link KgenException}.
     */
    static void check(int status, String what) {
        if (status == 0) return;
        String message = what + ": " + kgen_last_error().getString();
        if (Status.of(status) == Status.INVALID_ARGUMENT) throw new IllegalArgumentException(message);
        throw new KgenException(Status.of(status), message);
    }
}
