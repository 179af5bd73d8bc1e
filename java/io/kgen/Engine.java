package io.kgen;

import static io.kgen.nativeapi.KgenNative.*;

import io.kgen.KgenException.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A kgen context on the CPU or one CUDA device: kernel sums, KDE log-densities, scores, partial
 * states and Philox draws (MATH.md sections 1 and 7).
 *
 * <p>Every argument is checked before native code runs: shapes, NaN or infinite entries,
 * bandwidths, weights, empty inputs; each failure is an {@link IllegalArgumentException} naming
 * the argument and the value. Failures inside the native library (out of memory, CUDA errors)
 * are {@link KgenException}s carrying the native message.
 *
 * <p>Thread-safe: calls on one engine are serialised (each native operation already uses the
 * whole CPU or GPU); open several engines for independent streams of work. {@link #close()} is
 * idempotent and frees every device matrix still open.
 */
public final class Engine implements AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Backend backend;
    private final int device;
    private final Set<DeviceMatrix> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private long context;

    private Engine(Backend backend, int device, long context) {
        this.backend = backend;
        this.device = device;
        this.context = context;
    }

    /** Opens the CPU, a CUDA device, or (AUTO) CUDA device 0 when usable, else the CPU. */
    public static Engine open(Backend backend) {
        Checks.notNull(backend, "backend");
        NativeLibrary.ensureLoaded();
        switch (backend) {
            case CPU:
                return create(Backend.CPU, 0);
            case CUDA:
                return create(Backend.CUDA, 0);
            default:
                if (cudaDeviceCount() > 0) {
                    try {
                        return create(Backend.CUDA, 0);
                    } catch (KgenException e) {
                        // A device that is listed but not usable (busy, wrong driver): use the CPU.
                    }
                }
                return create(Backend.CPU, 0);
        }
    }

    public static Engine open() {
        return open(Backend.AUTO);
    }

    /** Opens CUDA device {@code device}. */
    public static Engine cuda(int device) {
        if (device < 0) throw new IllegalArgumentException("device must be >= 0, got " + device);
        NativeLibrary.ensureLoaded();
        return create(Backend.CUDA, device);
    }

    /** True when the native library was built with the CUDA backend. */
    public static boolean cudaCompiled() {
        NativeLibrary.ensureLoaded();
        return kgen_cuda_compiled() != 0;
    }

    /** How the native library was built: ABI, CUDA version and compiled GPU architectures. */
    public static String buildInfo() {
        NativeLibrary.ensureLoaded();
        return kgen_build_info().getString();
    }

    /** Usable CUDA devices (0 without CUDA, driver or device). */
    public static int cudaDeviceCount() {
        NativeLibrary.ensureLoaded();
        int[] count = {0};
        check(kgen_cuda_device_count(count), "counting CUDA devices");
        return count[0];
    }

    private static Engine create(Backend backend, int device) {
        long[] handle = {0};
        int code = backend == Backend.CPU ? 0 : 1;
        check(kgen_context_create(code, device, handle),
                backend == Backend.CPU ? "opening the CPU backend" : "opening CUDA device " + device);
        return new Engine(backend, device, handle[0]);
    }

    /** CPU or CUDA (never AUTO). */
    public Backend backend() {
        return backend;
    }

    /** The CUDA device index (0 on the CPU). */
    public int device() {
        return device;
    }

    /** One line: backend, device name, memory, driver, compiled architectures. */
    public String describe() {
        lock.lock();
        try {
            byte[] buffer = new byte[512];
            check(kgen_context_describe(handle(), buffer, buffer.length), "describing the context");
            int end = 0;
            while (end < buffer.length && buffer[end] != 0) end++;
            return new String(buffer, 0, end, StandardCharsets.UTF_8);
        } finally {
            lock.unlock();
        }
    }

    /** Free and total bytes of the context's memory (device memory, or host memory on the CPU). */
    public MemoryInfo memoryInfo() {
        lock.lock();
        try {
            long[] free = {0};
            long[] total = {0};
            check(kgen_memory_info(handle(), free, total), "reading memory information");
            return new MemoryInfo(free[0], total[0]);
        } finally {
            lock.unlock();
        }
    }

    public record MemoryInfo(long freeBytes, long totalBytes) {}

    // ---- memory ---------------------------------------------------------------------------

    /** A zero-initialised matrix in context memory. */
    public DeviceMatrix allocate(long rows, int cols) {
        Checks.shape(rows, cols, "matrix");
        lock.lock();
        try {
            long address = rows == 0 ? 0 : alloc(rows * cols * Float.BYTES, rows + " x " + cols + " matrix");
            DeviceMatrix m = new DeviceMatrix(this, rows, cols, address, true);
            live.add(m);
            if (rows > 0) check(kgen_fill(context, address, 0f, rows * cols), "zeroing a new matrix");
            return m;
        } finally {
            lock.unlock();
        }
    }

    /** A context copy of a host matrix. */
    public DeviceMatrix upload(FloatMatrix host) {
        Checks.notNull(host, "host");
        DeviceMatrix m = allocate(host.rows(), host.cols());
        copy(host, m);
        return m;
    }

    /**
     * Views memory that the caller already owns in this context (for CUDA: a device pointer on
     * this engine's device, e.g. from JCuda). kgen never frees it; the caller keeps it alive.
     */
    public DeviceMatrix wrapDevicePointer(long address, long rows, int cols) {
        Checks.shape(rows, cols, "matrix");
        if (address == 0 && rows > 0) throw new IllegalArgumentException("address is 0 (null)");
        lock.lock();
        try {
            handle();
            DeviceMatrix m = new DeviceMatrix(this, rows, cols, address, false);
            live.add(m);
            return m;
        } finally {
            lock.unlock();
        }
    }

    /** A host (heap) copy of a context matrix. */
    public FloatMatrix download(DeviceMatrix source) {
        Checks.notNull(source, "source");
        FloatMatrix host = FloatMatrix.heap(source.rows(), source.cols());
        copy(source, host);
        return host;
    }

    /** Copies between any two matrices of equal shape (host or context memory of this engine). */
    public void copy(Matrix source, Matrix target) {
        Checks.notNull(source, "source");
        Checks.rowsCols(target, source.rows(), source.cols(), "target");
        lock.lock();
        try (Staging s = new Staging(this)) {
            if (source.size() == 0) return;
            long from = s.input(source, "source");
            long to = s.output(target, "target");
            if (from != to) check(kgen_copy_within(context, to, from, source.bytes()), "copying a matrix");
            s.finish();
        } finally {
            lock.unlock();
        }
    }

    /** Sets every element of a context matrix (e.g. NaN, to poison an output). */
    public void fill(DeviceMatrix target, float value) {
        Checks.notNull(target, "target");
        lock.lock();
        try {
            if (target.size() > 0) check(kgen_fill(handle(), owned(target, "target"), value, target.size()), "fill");
        } finally {
            lock.unlock();
        }
    }

    /** Frees a device matrix of this engine; idempotent. */
    void release(DeviceMatrix m) {
        lock.lock();
        try {
            if (!live.remove(m)) return;
            long address = m.detach();
            if (address != 0 && context != 0) check(kgen_free(context, address), "freeing a device matrix");
        } finally {
            lock.unlock();
        }
    }

    // ---- kernel sums ----------------------------------------------------------------------

    /**
     * LSE and softmax-weighted mean for every query, and for the Laplace kernel the gradient sum
     * too. Returns host matrices.
     */
    public KernelSums kernelSums(KernelSum spec, Matrix queries, Matrix data) {
        Checks.notNull(spec, "spec");
        Checks.nonEmpty(queries, "queries");
        long m = queries.rows();
        int d = queries.cols();
        Checks.heapLength(m, d, "mean");
        FloatMatrix lse = FloatMatrix.heap(m, 1);
        FloatMatrix mean = FloatMatrix.heap(m, d);
        FloatMatrix grad = spec.kernel() == Kernel.LAPLACE ? FloatMatrix.heap(m, d) : null;
        kernelSums(spec, queries, data, lse, mean, grad);
        return new KernelSums(lse, mean, grad);
    }

    /**
     * Writes the reduction into the given outputs (host or device; any may be null but not all):
     * lse (m x 1), mean (m x d), laplaceGradient (m x d, Laplace kernel only).
     */
    public void kernelSums(KernelSum spec, Matrix queries, Matrix data, Matrix lse, Matrix mean,
            Matrix laplaceGradient) {
        if (lse == null && mean == null && laplaceGradient == null) {
            throw new IllegalArgumentException("no output requested: lse, mean and laplaceGradient are all null");
        }
        if (laplaceGradient != null && spec != null && spec.kernel() != Kernel.LAPLACE) {
            throw new IllegalArgumentException("laplaceGradient needs the Laplace kernel, got " + spec.kernel());
        }
        run("kernel sum", spec, queries, data, (s, p) -> {
            long lseAt = outputVector(s, lse, p.m, "lse", p);
            long meanAt = outputMatrix(s, mean, p, "mean");
            long gradAt = outputMatrix(s, laplaceGradient, p, "laplaceGradient");
            return kgen_kernel_sum(context, spec.kernel().code, p.queries, p.m, p.data, p.n, p.d, p.weights,
                    p.bandwidths, p.bandwidth, p.leaveOneOut, lseAt, meanAt, gradAt);
        });
    }

    /** Gaussian KDE log-density at every query: LSE - (d/2) log(2 pi h^2). */
    public FloatMatrix gaussianLogDensity(KernelSum spec, Matrix queries, Matrix data) {
        Checks.nonEmpty(queries, "queries");
        FloatMatrix out = FloatMatrix.heap(queries.rows(), 1);
        gaussianLogDensity(spec, queries, data, out);
        return out;
    }

    public void gaussianLogDensity(KernelSum spec, Matrix queries, Matrix data, Matrix logDensity) {
        requireGaussian(spec, "gaussianLogDensity");
        Checks.notNull(logDensity, "logDensity");
        run("Gaussian log-density", spec, queries, data, (s, p) -> kgen_gaussian_log_density(context, p.queries,
                p.m, p.data, p.n, p.d, p.weights, p.bandwidths, p.bandwidth, p.leaveOneOut,
                outputVector(s, logDensity, p.m, "logDensity", p)));
    }

    /** Gaussian KDE score at every query: (MEAN - x) / h^2 (m x d). */
    public FloatMatrix gaussianScore(KernelSum spec, Matrix queries, Matrix data) {
        Checks.nonEmpty(queries, "queries");
        FloatMatrix out = FloatMatrix.heap(queries.rows(), queries.cols());
        gaussianScore(spec, queries, data, out);
        return out;
    }

    public void gaussianScore(KernelSum spec, Matrix queries, Matrix data, Matrix score) {
        requireGaussian(spec, "gaussianScore");
        Checks.notNull(score, "score");
        run("Gaussian score", spec, queries, data, (s, p) -> kgen_gaussian_score(context, p.queries, p.m,
                p.data, p.n, p.d, p.weights, p.bandwidths, p.bandwidth, p.leaveOneOut,
                outputMatrix(s, score, p, "score")));
    }

    /**
     * One Euler-Maruyama step with the Gaussian empirical score, fused into the reduction:
     * x <- x + step (MEAN - x) / h^2 + noise z, in place, z the Philox normals of (seed, stream)
     * (element i d + k, as {@link #particleUpdate} draws them). The data must not be x.
     */
    public void gaussianScoreStep(KernelSum spec, Matrix x, Matrix data, float step, float noise, long seed, long stream) {
        requireGaussian(spec, "gaussianScoreStep");
        Checks.finite(step, "step");
        Checks.finite(noise, "noise");
        if (x == data) throw new IllegalArgumentException("x must not be the data: the step writes x in place");
        if (spec.leaveOneOut()) throw new IllegalArgumentException("gaussianScoreStep takes no leave-one-out");
        run("Gaussian score step", spec, x, data, (s, p) -> {
            s.markWritten(x, p.queries, "x");
            return kgen_gaussian_score_step(context, p.queries, p.m, p.data, p.n, p.d, p.weights, p.bandwidths,
                    p.bandwidth, step, noise, seed, stream);
        });
    }

    // ---- nearest neighbours and distance sums -----------------------------------------------

    /** Distances (m x 2, ascending) and row indices of each query's two nearest data rows. */
    public record NearestTwo(FloatMatrix distances, long[] indices) {}

    /**
     * The two nearest data rows of every query (MATH.md section 6: memorization ratio, nearest
     * neighbour distances). With leave-one-out (queries = data) a row is not its own neighbour.
     * Missing neighbours (fewer than two rows) are +inf with index -1.
     */
    public NearestTwo nearestTwo(Matrix queries, Matrix data, boolean leaveOneOut) {
        Checks.nonEmpty(queries, "queries");
        FloatMatrix distances = FloatMatrix.heap(queries.rows(), 2);
        long[] indices = new long[Checks.heapLength(queries.rows(), 2, "indices")];
        run("nearest two", pairwise(null, leaveOneOut), queries, data, (s, p) -> {
            long indicesAt = s.temporaryBytes(indices.length * 8L, "indices");
            int status = kgen_nearest_two(context, p.queries, p.m, p.data, p.n, p.d, p.leaveOneOut,
                    outputMatrix(s, distances, p.m, 2, "distances"), indicesAt);
            if (status == 0) check(kgen_copy_to_host(context, indices, indicesAt, indices.length * 8L), "reading indices");
            return status;
        });
        return new NearestTwo(distances, indices);
    }

    /** sum_j w_j |x_i - y_j| for every query (unit weights when null): energy distances. */
    public FloatMatrix distanceSums(Matrix queries, Matrix data, Matrix weights, boolean leaveOneOut) {
        Checks.nonEmpty(queries, "queries");
        FloatMatrix sums = FloatMatrix.heap(queries.rows(), 1);
        run("distance sum", pairwise(weights, leaveOneOut), queries, data, (s, p) -> kgen_distance_sum(context,
                p.queries, p.m, p.data, p.n, p.d, p.weights, p.leaveOneOut, outputVector(s, sums, p.m, "sums", p)));
        return sums;
    }

    /** The kernel-free reductions share the kernel sums' checks: the kernel and bandwidth are unused. */
    private static KernelSum pairwise(Matrix weights, boolean leaveOneOut) {
        return KernelSum.gaussian(1f).withWeights(weights).withLeaveOneOut(leaveOneOut);
    }

    // ---- partial states -------------------------------------------------------------------

    /**
     * The partial state of the queries against a slice of the data. Weights, when given, are the
     * slice's; without weights every pair has unit weight (a common weight only shifts maxLogit).
     * With leave-one-out the pair (i, j) is skipped where j == i + selfOffset (for a slice
     * starting at global data row j0: selfOffset = -j0).
     */
    public void partialSums(KernelSum spec, Matrix queries, Matrix dataSlice, long selfOffset, PartialSums out) {
        Checks.notNull(out, "out");
        run("partial kernel sum", spec, queries, dataSlice, selfOffset, (s, p) -> {
            if (out.laplaceSum() != null && spec.kernel() != Kernel.LAPLACE) {
                throw new IllegalArgumentException("out.laplaceSum needs the Laplace kernel");
            }
            PartialAddresses a = stagePartial(out, p.m, (int) p.d, s::output);
            return kgen_kernel_sum_partial(context, spec.kernel().code, p.queries, p.m, p.data, p.n, p.d,
                    p.weights, p.bandwidths, p.bandwidth, p.leaveOneOut, selfOffset, a.max, a.sum, a.weighted,
                    a.laplace);
        });
    }

    public PartialSums partialSums(KernelSum spec, Matrix queries, Matrix dataSlice, long selfOffset) {
        Checks.notNull(spec, "spec");
        Checks.nonEmpty(queries, "queries");
        PartialSums out = PartialSums.host(queries.rows(), queries.cols(), spec.kernel() == Kernel.LAPLACE);
        partialSums(spec, queries, dataSlice, selfOffset, out);
        return out;
    }

    /** a <- merge(a, b): the state of the union of both slices. */
    public void mergePartial(PartialSums a, PartialSums b) {
        Checks.notNull(a, "a");
        Checks.notNull(b, "b");
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException("a is " + a.rows() + " x " + a.cols() + " but b is " + b.rows()
                    + " x " + b.cols());
        }
        if ((a.laplaceSum() == null) != (b.laplaceSum() == null)) {
            throw new IllegalArgumentException("a and b must both have a laplaceSum or both not");
        }
        lock.lock();
        try (Staging s = new Staging(this)) {
            handle();
            PartialAddresses pa = stagePartial(a, a.rows(), a.cols(), s::inout);
            PartialAddresses pb = stagePartial(b, a.rows(), a.cols(), s::input);
            check(kgen_partial_merge(context, a.rows(), a.cols(), pa.max, pa.sum, pa.weighted, pa.laplace, pb.max,
                    pb.sum, pb.weighted, pb.laplace), "merging partial states");
            s.finish();
        } finally {
            lock.unlock();
        }
    }

    /** The kernel sums of a complete state (host matrices). */
    public KernelSums finalizePartial(PartialSums state) {
        Checks.notNull(state, "state");
        long m = state.rows();
        int d = state.cols();
        FloatMatrix lse = FloatMatrix.heap(m, 1);
        FloatMatrix mean = FloatMatrix.heap(m, d);
        FloatMatrix grad = state.laplaceSum() != null ? FloatMatrix.heap(m, d) : null;
        lock.lock();
        try (Staging s = new Staging(this)) {
            handle();
            PartialAddresses a = stagePartial(state, m, d, s::input);
            long lseAt = s.output(lse, "lse");
            long meanAt = s.output(mean, "mean");
            long gradAt = grad == null ? 0 : s.output(grad, "laplaceGradient");
            check(kgen_partial_finalize(context, m, d, a.max, a.sum, a.weighted, a.laplace, lseAt, meanAt, gradAt),
                    "finalizing a partial state");
            s.finish();
        } finally {
            lock.unlock();
        }
        return new KernelSums(lse, mean, grad);
    }

    // ---- random numbers -------------------------------------------------------------------

    /** Fills {@code out} with Philox standard normals: element k of the stream is offset + k. */
    public void fillNormal(Matrix out, long seed, long stream, long offset) {
        fillRandom(out, seed, stream, offset, true);
    }

    /** Fills {@code out} with Philox uniforms in [0, 1). */
    public void fillUniform(Matrix out, long seed, long stream, long offset) {
        fillRandom(out, seed, stream, offset, false);
    }

    public FloatMatrix normal(long rows, int cols, long seed, long stream, long offset) {
        FloatMatrix out = FloatMatrix.heap(rows, cols);
        fillNormal(out, seed, stream, offset);
        return out;
    }

    // ---- particle updates -----------------------------------------------------------------

    /**
     * x <- x + alpha a + beta b + noise z, elementwise, where z is Philox normal element
     * offset + k of (seed, stream) for the k-th element of x (row-major). a and b (the shape of
     * x) may be null; noise 0 draws nothing. The update step of every sampler.
     */
    public void particleUpdate(Matrix x, float alpha, Matrix a, float beta, Matrix b, float noise, long seed,
            long stream, long offset) {
        Checks.nonEmpty(x, "x");
        if (a != null) Checks.rowsCols(a, x.rows(), x.cols(), "a");
        if (b != null) Checks.rowsCols(b, x.rows(), x.cols(), "b");
        Checks.finite(alpha, "alpha");
        Checks.finite(beta, "beta");
        Checks.finite(noise, "noise");
        if (x == a || x == b) throw new IllegalArgumentException("a and b must not be x itself");
        lock.lock();
        try (Staging s = new Staging(this)) {
            handle();
            long xAt = s.inout(x, "x");
            requireFinite(xAt, x, "x");
            long aAt = a == null ? 0 : s.input(a, "a");
            if (a != null) requireFinite(aAt, a, "a");
            long bAt = b == null ? 0 : s.input(b, "b");
            if (b != null) requireFinite(bAt, b, "b");
            check(kgen_particle_update(context, xAt, x.size(), alpha, aAt, beta, bAt, noise, seed, stream, offset),
                    "particle update");
            s.finish();
        } finally {
            lock.unlock();
        }
    }

    /**
     * y_i += s_i (a_i - x_i) for every row i (x null: y_i += s_i a_i); s holds one value per row.
     * The per-row displacement of drifting's batch-normalised field.
     */
    public void rowUpdate(Matrix y, Matrix a, Matrix x, Matrix rowScale) {
        Checks.nonEmpty(y, "y");
        Checks.rowsCols(a, y.rows(), y.cols(), "a");
        if (x != null) Checks.rowsCols(x, y.rows(), y.cols(), "x");
        Checks.vector(rowScale, y.rows(), "rowScale");
        if (y == a || y == x) throw new IllegalArgumentException("y must not be a or x");
        lock.lock();
        try (Staging s = new Staging(this)) {
            handle();
            long yAt = s.inout(y, "y");
            long aAt = s.input(a, "a");
            long xAt = x == null ? 0 : s.input(x, "x");
            long scaleAt = s.input(rowScale, "rowScale");
            requireFinite(scaleAt, rowScale, "rowScale");
            check(kgen_row_update(context, yAt, aAt, xAt, scaleAt, y.rows(), y.cols()), "row update");
            s.finish();
        } finally {
            lock.unlock();
        }
    }

    /** The sum of squares of all elements, accumulated in double in a fixed order. */
    public double sumSquares(Matrix values) {
        Checks.notNull(values, "values");
        lock.lock();
        try (Staging s = new Staging(this)) {
            handle();
            if (values.size() == 0) return 0;
            double[] result = {0};
            check(kgen_sum_squares(context, s.input(values, "values"), values.size(), result), "sum of squares");
            return result[0];
        } finally {
            lock.unlock();
        }
    }

    private void fillRandom(Matrix out, long seed, long stream, long offset, boolean normal) {
        Checks.notNull(out, "out");
        lock.lock();
        try (Staging s = new Staging(this)) {
            handle();
            if (out.size() == 0) return;
            long at = s.output(out, "out");
            int status = normal ? kgen_normal_fill(context, seed, stream, offset, at, out.size())
                    : kgen_uniform_fill(context, seed, stream, offset, at, out.size());
            check(status, normal ? "normal fill" : "uniform fill");
            s.finish();
        } finally {
            lock.unlock();
        }
    }

    // ---- life cycle -----------------------------------------------------------------------

    @Override
    public void close() {
        lock.lock();
        try {
            if (context == 0) return;
            for (DeviceMatrix m : new ArrayList<>(live)) {
                long address = m.detach();
                if (address != 0) kgen_free(context, address);
            }
            live.clear();
            long c = context;
            context = 0;
            check(kgen_context_destroy(c), "closing the engine");
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        return context == 0;
    }

    @Override
    public String toString() {
        return "Engine[" + backend + (backend == Backend.CUDA ? " " + device : "") + (isClosed() ? ", closed]" : "]");
    }

    // ---- internals ------------------------------------------------------------------------

    /** The checked, staged operands of one reduction, as native addresses. */
    private static final class Problem {
        long queries;
        long m;
        long data;
        long n;
        long d;
        long weights;
        long bandwidths;
        float bandwidth;
        int leaveOneOut;
    }

    @FunctionalInterface
    private interface NativeCall {
        int call(Staging s, Problem p);
    }

    private void run(String op, KernelSum spec, Matrix queries, Matrix data, NativeCall call) {
        run(op, spec, queries, data, null, call);
    }

    /** Checks and stages the operands, makes the call, copies host outputs back. */
    private void run(String op, KernelSum spec, Matrix queries, Matrix data, Long partialSelfOffset,
            NativeCall call) {
        Checks.notNull(spec, "spec");
        Checks.nonEmpty(queries, "queries");
        Checks.nonEmpty(data, "data");
        if (queries.cols() != data.cols()) {
            throw new IllegalArgumentException("queries has " + queries.cols() + " columns but data has "
                    + data.cols() + ": both must be points in the same dimension d");
        }
        long m = queries.rows();
        long n = data.rows();
        boolean partial = partialSelfOffset != null;
        if (spec.leaveOneOut() && !partial) {
            if (m != n) {
                throw new IllegalArgumentException("leave-one-out needs queries and data to be the same set, but "
                        + "queries has " + m + " rows and data " + n);
            }
            if (n < 2) throw new IllegalArgumentException("leave-one-out needs at least 2 data rows, got " + n);
        }
        if (spec.weights() != null) Checks.vector(spec.weights(), n, "weights");
        if (spec.bandwidth().isPerQuery()) Checks.vector(spec.bandwidth().values(), m, "bandwidths");
        else Checks.bandwidth(spec.kernel(), spec.bandwidth().value(), "bandwidth");

        lock.lock();
        try (Staging s = new Staging(this)) {
            handle();
            Problem p = new Problem();
            p.m = m;
            p.n = n;
            p.d = queries.cols();
            p.queries = s.input(queries, "queries");
            requireFinite(p.queries, queries, "queries");
            p.data = s.input(data, "data");
            requireFinite(p.data, data, "data");
            if (spec.weights() != null) {
                checkWeights(spec.weights());
                p.weights = s.input(spec.weights(), "weights");
            }
            if (spec.bandwidth().isPerQuery()) {
                checkBandwidths(spec.bandwidth().values(), spec.kernel());
                p.bandwidths = s.input(spec.bandwidth().values(), "bandwidths");
                p.bandwidth = 1f;
            } else {
                p.bandwidth = spec.bandwidth().value();
            }
            p.leaveOneOut = spec.leaveOneOut() ? 1 : 0;
            check(call.call(s, p), op);
            s.finish();
        } finally {
            lock.unlock();
        }
    }

    private long outputVector(Staging s, Matrix out, long m, String name, Problem p) {
        if (out == null) return 0;
        Checks.vector(out, m, name);
        return s.output(out, name);
    }

    private long outputMatrix(Staging s, Matrix out, Problem p, String name) {
        return outputMatrix(s, out, p.m, (int) p.d, name);
    }

    private long outputMatrix(Staging s, Matrix out, long rows, int cols, String name) {
        if (out == null) return 0;
        Checks.rowsCols(out, rows, cols, name);
        return s.output(out, name);
    }

    @FunctionalInterface
    private interface Placement {
        long at(Matrix m, String name);
    }

    private record PartialAddresses(long max, long sum, long weighted, long laplace) {}

    /** Checks the shapes of a partial state and places its matrices (as inputs, outputs or both). */
    private PartialAddresses stagePartial(PartialSums state, long m, int d, Placement place) {
        Checks.vector(state.maxLogit(), m, "maxLogit");
        Checks.vector(state.sumExp(), m, "sumExp");
        Checks.rowsCols(state.weightedSum(), m, d, "weightedSum");
        if (state.laplaceSum() != null) Checks.rowsCols(state.laplaceSum(), m, d, "laplaceSum");
        return new PartialAddresses(place.at(state.maxLogit(), "maxLogit"), place.at(state.sumExp(), "sumExp"),
                place.at(state.weightedSum(), "weightedSum"),
                state.laplaceSum() == null ? 0 : place.at(state.laplaceSum(), "laplaceSum"));
    }

    private static void requireGaussian(KernelSum spec, String op) {
        Checks.notNull(spec, "spec");
        if (spec.kernel() != Kernel.GAUSSIAN) {
            throw new IllegalArgumentException(op + " needs the Gaussian kernel, got " + spec.kernel());
        }
    }

    private void requireFinite(long address, Matrix m, String name) {
        long[] count = {0};
        long[] first = {-1};
        check(kgen_count_nonfinite(context, address, m.size(), count, first), "scanning " + name);
        if (count[0] > 0) {
            float[] bad = new float[1];
            check(kgen_copy_to_host(context, bad, address + first[0] * Float.BYTES, Float.BYTES), "reading " + name);
            throw new IllegalArgumentException(name + " contains " + count[0] + " non-finite value(s); the first is "
                    + bad[0] + " at " + Checks.at(first[0], m.cols()));
        }
    }

    private void checkWeights(Matrix weights) {
        float[] w = hostValues(weights);
        double sum = 0;
        for (int j = 0; j < w.length; j++) {
            if (!(w[j] >= 0) || Float.isInfinite(w[j])) {
                throw new IllegalArgumentException("weights[" + j + "] must be finite and >= 0, got " + w[j]);
            }
            sum += w[j];
        }
        if (!(sum > 0)) throw new IllegalArgumentException("weights must have a positive sum, got " + sum);
    }

    private void checkBandwidths(Matrix bandwidths, Kernel kernel) {
        float[] h = hostValues(bandwidths);
        for (int i = 0; i < h.length; i++) Checks.bandwidth(kernel, h[i], "bandwidths[" + i + "]");
    }

    /** A host copy of a vector argument (device vectors are read back: m or n floats). */
    private float[] hostValues(Matrix v) {
        if (v instanceof FloatMatrix fm) return fm.toArray();
        DeviceMatrix dm = (DeviceMatrix) v;
        float[] out = new float[Checks.heapLength(dm.rows(), dm.cols(), "vector")];
        check(kgen_copy_to_host(context, out, owned(dm, "vector"), dm.bytes()), "reading a vector");
        return out;
    }

    long handle() {
        if (context == 0) throw new IllegalStateException("engine is closed");
        return context;
    }

    long owned(DeviceMatrix m, String name) {
        if (m.engine() != this) throw new IllegalArgumentException(name + " belongs to another engine: " + m.engine());
        if (m.isClosed()) throw new IllegalArgumentException(name + " is closed");
        return m.address();
    }

    long alloc(long bytes, String what) {
        long[] p = {0};
        int status = kgen_alloc(handle(), bytes, p);
        if (status != 0) {
            throw new KgenException(Status.of(status), "cannot allocate " + what + " (" + bytes + " bytes) in "
                    + (backend == Backend.CUDA ? "CUDA device " + device + " memory" : "host memory") + ": "
                    + kgen_last_error().getString());
        }
        return p[0];
    }

    static void check(int status, String what) {
        if (status != 0) {
            throw new KgenException(Status.of(status), what + ": " + kgen_last_error().getString());
        }
    }
}
