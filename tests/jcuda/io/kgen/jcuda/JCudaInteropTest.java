package io.kgen.jcuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import java.lang.reflect.Field;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.runtime.cudaEvent_t;
import jcuda.runtime.cudaStream_t;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The address mapping between JCuda's objects and kgen's matrices, on a CPU engine (whose context
 * memory is host memory, so every address can be read back): no GPU and no JCuda native library
 * is needed. The device side is {@link JCudaInteropCudaTest}.
 */
class JCudaInteropTest {
    private static Engine engine;

    @BeforeAll
    static void open() {
        engine = Engine.cpu(1);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static FloatMatrix counting(int rows, int cols) {
        FloatMatrix m = FloatMatrix.heap(rows, cols);
        for (int i = 0; i < rows * cols; i++) m.setFlat(i, i * 0.25f - 3);
        return m;
    }

    @Test
    void aKgenMatrixGoesToJCudaAndComesBackAsTheSameMemory() {
        FloatMatrix host = counting(7, 3);
        try (DeviceMatrix m = engine.upload(host)) {
            CUdeviceptr driver = JCudaInterop.devicePointer(m);
            Pointer runtime = JCudaInterop.pointer(m);
            assertEquals(m.address(), JCudaInterop.address(driver, "driver"));
            assertEquals(m.address(), JCudaInterop.address(runtime, "runtime"));
            try (DeviceMatrix back = JCudaInterop.wrap(engine, driver, 7, 3)) {
                assertEquals(m.address(), back.address());
                assertArrayEquals(host.toArray(), back.download().toArray());
                // the view computes like the original
                KernelSum spec = KernelSum.gaussian(0.8);
                assertArrayEquals(engine.score(spec, host, host).toArray(), engine.score(spec, back, back).toArray());
            }
        }
    }

    @Test
    void byteOffsetsAreCounted() {
        FloatMatrix host = counting(5, 4);
        try (DeviceMatrix m = engine.upload(host);
                DeviceMatrix tail = JCudaInterop.wrap(engine, JCudaInterop.devicePointer(m).withByteOffset(2 * 4 * 4), 3, 4)) {
            assertEquals(m.address() + 32, tail.address());
            assertArrayEquals(host.copyRows(2, 3).toArray(), tail.download().toArray());
        }
    }

    @Test
    void handlesAreTheNativePointerPlusTheOffset() throws Exception {
        CUdeviceptr p = withNativePointer(new CUdeviceptr(), 0x7000_0000L);
        assertEquals(0x7000_0000L, JCudaInterop.address(p, "p"));
        assertEquals(0x7000_0040L, JCudaInterop.address(p.withByteOffset(0x40), "p"));
        CUevent event = withNativePointer(new CUevent(), 0x1234L);
        assertEquals(0x1234L, JCudaInterop.address(event, "event"));
        assertEquals(0x1234L, JCudaInterop.address(new cudaEvent_t(event), "event"));
    }

    @Test
    void whatIsNotDeviceMemoryIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> JCudaInterop.wrap(engine, Pointer.to(new float[4]), 2, 2));
        assertTrue(e.getMessage().startsWith("devicePointer is null or refers to Java memory"), e.getMessage());
        assertEquals("devicePointer is null",
                assertThrows(IllegalArgumentException.class, () -> JCudaInterop.wrap(engine, null, 2, 2)).getMessage());
        assertEquals("engine is null", assertThrows(IllegalArgumentException.class,
                () -> JCudaInterop.wrap(null, new CUdeviceptr().withByteOffset(64), 2, 2)).getMessage());
        assertEquals("matrix is null",
                assertThrows(IllegalArgumentException.class, () -> JCudaInterop.devicePointer(null)).getMessage());
    }

    @Test
    void handOffsNeedAnEventAndACudaEngine() throws Exception {
        assertEquals("cudaEvent is 0 (null)", assertThrows(IllegalArgumentException.class,
                () -> JCudaInterop.waitFor(engine, new cudaEvent_t())).getMessage());
        assertEquals("event is null", assertThrows(IllegalArgumentException.class,
                () -> JCudaInterop.record(engine, (CUevent) null)).getMessage());
        CUevent event = withNativePointer(new CUevent(), 0x1234L);
        for (Runnable handOff : new Runnable[] {() -> JCudaInterop.waitFor(engine, event),
                () -> JCudaInterop.record(engine, event), () -> JCudaInterop.waitFor(engine, new cudaStream_t())}) {
            var e = assertThrows(IllegalArgumentException.class, handOff::run);
            assertTrue(e.getMessage().contains("CPU context has no CUDA stream"), e.getMessage());
        }
    }

    /** A JCuda object holding {@code address}, as JCuda's native code would leave it. */
    private static <T extends NativePointerObject> T withNativePointer(T object, long address) throws Exception {
        Field field = NativePointerObject.class.getDeclaredField("nativePointer");
        field.setAccessible(true);
        field.setLong(object, address);
        return object;
    }
}
