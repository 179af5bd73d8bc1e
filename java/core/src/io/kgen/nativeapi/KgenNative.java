package io.kgen.nativeapi;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The C ABI of {@code native/include/kgen.h}, one declaration per function and nothing else.
 * Context handles and context memory are raw addresses ({@code long}); host arrays are passed
 * where the ABI copies from or to host memory. Use {@link io.kgen.Engine}, not this class.
 */
@Platform(include = "kgen.h", link = "kgen")
public final class KgenNative {
    static {
        Loader.load();
    }

    private KgenNative() {}

    public static native int kgen_abi_version();

    public static native @Cast("const char*") BytePointer kgen_last_error();

    public static native int kgen_cuda_compiled();

    public static native @Cast("const char*") BytePointer kgen_build_info();

    public static native int kgen_cuda_device_count(int[] count);

    public static native int kgen_cpu_default_threads(int[] threads);

    public static native int kgen_cpu_blas_load(@Cast("const char*") String libraryPath);

    public static native int kgen_context_create(int backend, int device,
            @Cast("kgen_context**") long[] context);

    public static native int kgen_cpu_context_create(int threads, int path, int isa,
            @Cast("kgen_context**") long[] context);

    public static native int kgen_context_destroy(@Cast("kgen_context*") long context);

    public static native int kgen_context_describe(@Cast("kgen_context*") long context,
            @Cast("char*") byte[] buffer, @Cast("size_t") long capacity);

    public static native int kgen_synchronize(@Cast("kgen_context*") long context);

    public static native int kgen_wait_event(@Cast("kgen_context*") long context, @Cast("void*") long cudaEvent);

    public static native int kgen_wait_stream(@Cast("kgen_context*") long context, @Cast("void*") long cudaStream);

    public static native int kgen_record_event(@Cast("kgen_context*") long context, @Cast("void*") long cudaEvent);

    public static native int kgen_alloc(@Cast("kgen_context*") long context, @Cast("size_t") long bytes,
            @Cast("void**") long[] pointer);

    public static native int kgen_free(@Cast("kgen_context*") long context, @Cast("void*") long pointer);

    public static native int kgen_memory_info(@Cast("kgen_context*") long context,
            @Cast("size_t*") long[] freeBytes, @Cast("size_t*") long[] totalBytes);

    // A JNI critical region: the copy reads or writes the Java array in place. Without it JavaCPP
    // copies the array to a fresh buffer first, which at high d costs as much as the kernel sums.
    // The region holds only for the copy itself (no JNI calls, no waiting on Java threads).
    @CriticalRegion
    public static native int kgen_copy_to_context(@Cast("kgen_context*") long context,
            @Cast("void*") long dst, @Cast("const void*") float[] hostSrc, @Cast("size_t") long bytes);

    public static native int kgen_copy_to_context(@Cast("kgen_context*") long context,
            @Cast("void*") long dst, @Cast("const void*") long hostSrc, @Cast("size_t") long bytes);

    // A JNI critical region: the copy reads or writes the Java array in place. Without it JavaCPP
    // copies the array to a fresh buffer first, which at high d costs as much as the kernel sums.
    // The region holds only for the copy itself (no JNI calls, no waiting on Java threads).
    @CriticalRegion
    public static native int kgen_copy_to_host(@Cast("kgen_context*") long context,
            @Cast("void*") float[] hostDst, @Cast("const void*") long src, @Cast("size_t") long bytes);

    public static native int kgen_copy_to_host(@Cast("kgen_context*") long context,
            @Cast("void*") long hostDst, @Cast("const void*") long src, @Cast("size_t") long bytes);

    public static native int kgen_copy_within(@Cast("kgen_context*") long context,
            @Cast("void*") long dst, @Cast("const void*") long src, @Cast("size_t") long bytes);

    public static native int kgen_fill(@Cast("kgen_context*") long context, @Cast("float*") long dst,
            float value, long count);

    public static native int kgen_scan(@Cast("kgen_context*") long context,
            @Cast("const float*") long values, long count, float lower, @Cast("int64_t*") long[] badCount,
            @Cast("int64_t*") long[] firstBad, double[] sum);

    public static native float kgen_min_bandwidth(int kernel, long d);

    public static native int kgen_kernel_sum(@Cast("kgen_context*") long context, int kernel,
            @Cast("const float*") long queries, long m, @Cast("const float*") long data, long n, long d,
            @Cast("const float*") long weights, @Cast("const float*") long bandwidths, float bandwidth,
            int leaveOneOut, @Cast("float*") long lse, @Cast("float*") long mean,
            @Cast("float*") long gradient);

    public static native int kgen_log_density(@Cast("kgen_context*") long context, int kernel,
            @Cast("const float*") long queries, long m, @Cast("const float*") long data, long n, long d,
            @Cast("const float*") long weights, @Cast("const float*") long bandwidths, float bandwidth,
            int leaveOneOut, @Cast("float*") long logDensity);

    public static native int kgen_score(@Cast("kgen_context*") long context, int kernel,
            @Cast("const float*") long queries, long m, @Cast("const float*") long data, long n, long d,
            @Cast("const float*") long weights, @Cast("const float*") long bandwidths, float bandwidth,
            int leaveOneOut, @Cast("float*") long score);

    public static native int kgen_kernel_sum_partial(@Cast("kgen_context*") long context, int kernel,
            @Cast("const float*") long queries, long m, @Cast("const float*") long data, long n, long d,
            @Cast("const float*") long weights, @Cast("const float*") long bandwidths, float bandwidth,
            int leaveOneOut, long selfOffset, @Cast("float*") long maxLogit, @Cast("float*") long sumExp,
            @Cast("float*") long weightedSum, @Cast("float*") long gradientSum);

    public static native int kgen_partial_merge(@Cast("kgen_context*") long context, long m, long d,
            @Cast("float*") long maxA, @Cast("float*") long sumA, @Cast("float*") long weightedA,
            @Cast("float*") long gradientA, @Cast("const float*") long maxB, @Cast("const float*") long sumB,
            @Cast("const float*") long weightedB, @Cast("const float*") long gradientB);

    public static native int kgen_partial_finalize(@Cast("kgen_context*") long context, long m, long d,
            @Cast("const float*") long maxLogit, @Cast("const float*") long sumExp,
            @Cast("const float*") long weightedSum, @Cast("const float*") long gradientSum,
            @Cast("float*") long lse, @Cast("float*") long mean, @Cast("float*") long gradient);

    public static native int kgen_normal_fill(@Cast("kgen_context*") long context,
            @Cast("uint64_t") long seed, @Cast("uint64_t") long stream, @Cast("uint64_t") long offset,
            @Cast("float*") long out, long count);

    public static native int kgen_uniform_fill(@Cast("kgen_context*") long context,
            @Cast("uint64_t") long seed, @Cast("uint64_t") long stream, @Cast("uint64_t") long offset,
            @Cast("float*") long out, long count);

    public static native int kgen_particle_update(@Cast("kgen_context*") long context, @Cast("float*") long x,
            long count, float alpha, @Cast("const float*") long a, float beta, @Cast("const float*") long b,
            float noise, @Cast("uint64_t") long seed, @Cast("uint64_t") long stream, @Cast("uint64_t") long offset);

    public static native int kgen_copy_to_host(@Cast("kgen_context*") long context,
            @Cast("void*") long[] hostDst, @Cast("const void*") long src, @Cast("size_t") long bytes);

    public static native int kgen_nearest_two(@Cast("kgen_context*") long context,
            @Cast("const float*") long queries, long m, @Cast("const float*") long data, long n, long d,
            int leaveOneOut, @Cast("float*") long distances, @Cast("int64_t*") long indices);

    public static native int kgen_distance_sum(@Cast("kgen_context*") long context,
            @Cast("const float*") long queries, long m, @Cast("const float*") long data, long n, long d,
            @Cast("const float*") long weights, int leaveOneOut, @Cast("float*") long sums);

    public static native int kgen_row_update(@Cast("kgen_context*") long context, @Cast("float*") long y,
            @Cast("const float*") long a, @Cast("const float*") long x, @Cast("const float*") long rowScale, long m,
            long d);

    public static native int kgen_sum_squares(@Cast("kgen_context*") long context,
            @Cast("const float*") long values, long count, double[] result);

    public static native int kgen_gaussian_score_step(@Cast("kgen_context*") long context, @Cast("float*") long x,
            long m, @Cast("const float*") long data, long n, long d, @Cast("const float*") long weights,
            @Cast("const float*") long bandwidths, float bandwidth, float step, float noise,
            @Cast("uint64_t") long seed, @Cast("uint64_t") long stream, @Cast("uint64_t") long offset);
}
