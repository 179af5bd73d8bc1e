package io.kgen.jcuda;

import static jcuda.driver.JCudaDriver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * JCuda and kgen on CUDA device 0 (skipped without one): memory JCuda allocated and filled on its
 * own stream is read by kgen after a stream hand-off, kgen memory is read back by JCuda, and a
 * recorded event orders JCuda after kgen. Scores are compared with a CPU engine on the same data.
 */
@Tag("gpu")
class JCudaInteropCudaTest {
    private static final int N = 4099;
    private static final int D = 7;
    private static Engine cuda;
    private static Engine cpu;
    private static CUcontext context;

    @BeforeAll
    static void open() {
        assumeTrue(Engine.cudaDeviceCount() > 0, "no CUDA device");
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        CUdevice device = new CUdevice();
        cuDeviceGet(device, 0);
        context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);  // the context the CUDA runtime, and so kgen, uses
        cuCtxSetCurrent(context);
        cuda = Engine.cuda(0);
        cpu = Engine.cpu(1);
    }

    @AfterAll
    static void close() {
        if (cuda == null) return;
        cuda.close();
        cpu.close();
        CUdevice device = new CUdevice();
        cuDeviceGet(device, 0);
        cuDevicePrimaryCtxRelease(device);
    }

    private static float[] values(int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float) Math.sin(0.37 * i);
        return v;
    }

    @Test
    void memoryFilledOnAJCudaStreamIsReadAfterTheHandOff() {
        float[] host = values(N * D);
        Pointer pinned = new Pointer();
        cuMemAllocHost(pinned, (long) host.length * Sizeof.FLOAT);
        pinned.getByteBuffer(0, (long) host.length * Sizeof.FLOAT).order(java.nio.ByteOrder.nativeOrder())
                .asFloatBuffer().put(host);
        CUdeviceptr points = new CUdeviceptr();
        cuMemAlloc(points, (long) host.length * Sizeof.FLOAT);
        CUstream stream = new CUstream();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        try {
            cuMemcpyHtoDAsync(points, pinned, (long) host.length * Sizeof.FLOAT, stream);
            JCudaInterop.waitFor(cuda, stream);
            KernelSum spec = KernelSum.gaussian(0.3);
            FloatMatrix queries = FloatMatrix.wrap(5, D, values(5 * D));
            try (DeviceMatrix y = JCudaInterop.wrap(cuda, points, N, D)) {
                FloatMatrix got = cuda.score(spec, queries, y);
                FloatMatrix want = cpu.score(spec, queries, FloatMatrix.wrap(N, D, host));
                float[] g = got.toArray();
                float[] w = want.toArray();
                for (int i = 0; i < g.length; i++) {
                    if (Math.abs(g[i] - w[i]) > 1e-4 * (1 + Math.abs(w[i]))) {
                        throw new AssertionError("score[" + i + "]: CUDA " + g[i] + ", CPU " + w[i]);
                    }
                }
            }
        } finally {
            cuStreamSynchronize(stream);
            cuStreamDestroy(stream);
            cuMemFree(points);
            cuMemFreeHost(pinned);
        }
    }

    @Test
    void kgenMemoryIsReadByJCudaAfterARecordedEvent() {
        CUstream stream = new CUstream();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        CUevent done = new CUevent();
        cuEventCreate(done, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        try (DeviceMatrix m = cuda.allocate(3, D)) {
            cuda.fill(m, 2.5f);  // on kgen's stream
            JCudaInterop.record(cuda, done);
            cuStreamWaitEvent(stream, done, 0);
            float[] back = new float[3 * D];
            cuMemcpyDtoHAsync(Pointer.to(back), JCudaInterop.devicePointer(m), (long) back.length * Sizeof.FLOAT,
                    stream);
            cuStreamSynchronize(stream);
            float[] filled = new float[3 * D];
            java.util.Arrays.fill(filled, 2.5f);
            assertArrayEquals(filled, back);
        } finally {
            cuEventDestroy(done);
            cuStreamDestroy(stream);
        }
    }
}
