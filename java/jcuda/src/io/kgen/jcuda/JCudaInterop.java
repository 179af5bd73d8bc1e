package io.kgen.jcuda;

import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.runtime.cudaEvent_t;
import jcuda.runtime.cudaStream_t;

/**
 * kgen and JCuda on one device: JCuda device memory as kgen matrices, kgen matrices as JCuda
 * pointers, and the order between JCuda's streams and a kgen engine's work.
 *
 * <pre>{@code
 * CUdeviceptr points = ...;                       // n x d floats, filled by the caller's stream
 * JCudaInterop.waitFor(engine, stream);           // kgen's next work waits for that stream
 * try (DeviceMatrix y = JCudaInterop.wrap(engine, points, n, d)) {
 *     FloatMatrix score = engine.score(KernelSum.gaussian(0.1), queries, y);
 * }
 * }</pre>
 *
 * <p>JCuda keeps raw handles out of its public API: a handle is its object's native pointer plus,
 * for a {@link Pointer}, its byte offset (how JCuda's own native code reads it); this class reads
 * both through reflection, and makes pointers with {@link Pointer#withByteOffset}. Memory changes
 * no owner either way: kgen never frees what it wraps, and a pointer to kgen memory must not be
 * passed to {@code cuMemFree}.
 */
public final class JCudaInterop {
    private JCudaInterop() {}

    /** A view of {@code rows x cols} row-major floats of JCuda device memory as a matrix of {@code engine}. */
    public static DeviceMatrix wrap(Engine engine, Pointer devicePointer, long rows, int cols) {
        if (engine == null) throw new IllegalArgumentException("engine is null");
        long address = address(devicePointer, "devicePointer");
        if (address == 0) {
            throw new IllegalArgumentException("devicePointer is null or refers to Java memory (an array or buffer), "
                    + "not device memory: " + devicePointer);
        }
        return engine.wrapDevicePointer(address, rows, cols);
    }

    /** The matrix's memory as a JCuda driver-API pointer (kgen keeps owning it). */
    public static CUdeviceptr devicePointer(DeviceMatrix matrix) {
        if (matrix == null) throw new IllegalArgumentException("matrix is null");
        return new CUdeviceptr().withByteOffset(matrix.address());
    }

    /** The matrix's memory as a JCuda runtime-API pointer (kgen keeps owning it). */
    public static Pointer pointer(DeviceMatrix matrix) {
        if (matrix == null) throw new IllegalArgumentException("matrix is null");
        return new Pointer().withByteOffset(matrix.address());
    }

    /** The engine's later work waits for the event's last record (this thread does not block). */
    public static void waitFor(Engine engine, CUevent event) {
        engine(engine).waitForEvent(address(event, "event"));
    }

    public static void waitFor(Engine engine, cudaEvent_t event) {
        engine(engine).waitForEvent(address(event, "event"));
    }

    /** The engine's later work waits for all work queued on the stream so far. */
    public static void waitFor(Engine engine, CUstream stream) {
        engine(engine).waitForStream(address(stream, "stream"));
    }

    public static void waitFor(Engine engine, cudaStream_t stream) {
        engine(engine).waitForStream(address(stream, "stream"));
    }

    /** Records the event after all of the engine's work so far: the caller's streams can wait on it. */
    public static void record(Engine engine, CUevent event) {
        engine(engine).recordEvent(address(event, "event"));
    }

    public static void record(Engine engine, cudaEvent_t event) {
        engine(engine).recordEvent(address(event, "event"));
    }

    /** The raw handle or address of a JCuda object: its native pointer, plus a pointer's byte offset. */
    static long address(NativePointerObject object, String name) {
        if (object == null) throw new IllegalArgumentException(name + " is null");
        long address = (long) Handles.read(Handles.NATIVE_POINTER, object);
        if (object instanceof Pointer) address += (long) Handles.read(Handles.BYTE_OFFSET, object);
        return address;
    }

    private static Engine engine(Engine engine) {
        if (engine == null) throw new IllegalArgumentException("engine is null");
        return engine;
    }

    /** JCuda's protected accessors, opened once. */
    private static final class Handles {
        static final Method NATIVE_POINTER = open(NativePointerObject.class, "getNativePointer");
        static final Method BYTE_OFFSET = open(Pointer.class, "getByteOffset");

        private static Method open(Class<?> owner, String name) {
            try {
                Method m = owner.getDeclaredMethod(name);
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("this JCuda version has no accessible " + owner.getName() + "." + name
                        + "(): kgen-jcuda is built for JCuda 12.6", e);
            }
        }

        static Object read(Method accessor, Object object) {
            try {
                return accessor.invoke(object);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("reading " + accessor.getName() + " of " + object, e);
            }
        }
    }
}
