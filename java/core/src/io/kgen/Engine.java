package io.kgen;

import static io.kgen.nativeapi.KgenNative.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A kgen context on the CPU or one CUDA device: kernel sums, KDE log-densities and scores,
 * partial states, nearest neighbours, Philox draws and particle updates (MATH.md sections 1, 6
 * and 7). This class is the facade; each operation is one {@link Call}: check, stage, call,
 * finish.
 *
 * <p>Every argument is checked before native code runs: shapes, NaN or infinite entries,
 * bandwidths, weights, empty inputs; each failure is an {@link IllegalArgumentException} naming
 * the argument and the value (context-resident weights and bandwidths are checked by the native
 * call, with the same kind of message; on a CUDA engine that check runs on the device with the
 * operation, and the exception comes from the next call that waits for the device, such as the
 * copy of the outputs to the host, with the operation's outputs left undefined). Failures inside the native library (out of memory, CUDA
 * errors) are {@link KgenException}s carrying the native message.
 *
 * <p>Thread-safe: calls on one engine are serialised (each native operation already uses the
 * whole CPU or GPU); open several engines for independent streams of work. {@link #close()} is
 * idempotent and frees every device matrix still open.
 *
 * <p>Sharded ({@link #sharded}): one engine over several contexts. Its matrices live in the first
 * shard's context (the home); the pairwise reductions (kernel sums, scores, log-densities, the
 * Gaussian score step, nearest neighbours and distance sums) are split across all shards, every
 * other operation runs on the home. Samplers run on it as on any engine.
 */
public final class Engine implements AutoCloseable {
    private final NativeContext context;
    private final Shards shards;  // null: this engine is one context
    private volatile Consumer<Matrix> scanListener;

    private Engine(NativeContext context) {
        this(context, null);
    }

    private Engine(NativeContext context, Shards shards) {
        this.context = context;
        this.shards = shards;
    }

    /** Opens the CPU, a CUDA device, or (AUTO) CUDA device 0 when usable, else the CPU. */
    public static Engine open(Backend backend) {
        Checks.notNull(backend, "backend");
        return new Engine(backend == Backend.AUTO ? NativeContext.openBest() : NativeContext.open(backend, 0));
    }

    public static Engine open() {
        return open(Backend.AUTO);
    }

    /** Opens the CPU with the given threads, path and instruction set. */
    public static Engine cpu(CpuOptions options) {
        Checks.notNull(options, "options");
        return new Engine(NativeContext.openCpu(options));
    }

    /** Opens the CPU's fast path on {@code threads} threads (at least 1). */
    public static Engine cpu(int threads) {
        return cpu(CpuOptions.defaults().withThreads(threads));
    }

    /** Opens CUDA device {@code device}. */
    public static Engine cuda(int device) {
        Checks.atLeast(device, 0, "device");
        return new Engine(NativeContext.open(Backend.CUDA, device));
    }

    /**
     * One engine over {@code shards} (at least one, distinct, open, none sharded itself), which it
     * then owns and closes. The first shard is the home: the sharded engine's matrices live in its
     * context. {@code split} says how each reduction is divided ({@link ShardSplit}): queries for
     * results bit-identical to one engine's, data rows for data larger than one device.
     */
    public static Engine sharded(ShardSplit split, List<Engine> shards) {
        Checks.notNull(split, "split");
        if (shards == null || shards.isEmpty()) throw new IllegalArgumentException("shards is empty");
        Set<NativeContext> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int s = 0; s < shards.size(); s++) {
            Engine e = shards.get(s);
            if (e == null) throw new IllegalArgumentException("shards[" + s + "] is null");
            if (e.isClosed()) throw new IllegalArgumentException("shards[" + s + "] is closed");
            if (e.shards != null) throw new IllegalArgumentException("shards[" + s + "] is itself sharded");
            if (!seen.add(e.context)) throw new IllegalArgumentException("shards[" + s + "] repeats an earlier shard");
        }
        return new Engine(shards.get(0).context, new Shards(shards, split));
    }

    /**
     * {@code contexts} CPU contexts (fast path) sharing the default thread count evenly (at least
     * one thread each), as one sharded engine.
     */
    public static Engine shardedCpu(int contexts, ShardSplit split) {
        Checks.atLeast(contexts, 1, "contexts");
        Checks.notNull(split, "split");
        int threads = Math.max(1, CpuOptions.defaultThreads() / contexts);
        List<Engine> shards = new ArrayList<>();
        try {
            for (int c = 0; c < contexts; c++) shards.add(cpu(threads));
        } catch (RuntimeException e) {
            shards.forEach(Engine::close);
            throw e;
        }
        return sharded(split, shards);
    }

    /** The contexts a sharded engine spans (1 for a plain engine). */
    public int shardCount() {
        return shards == null ? 1 : shards.engines().size();
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
        return NativeContext.cudaDeviceCount();
    }

    /** CPU or CUDA (never AUTO). */
    public Backend backend() {
        return context.backend();
    }

    /** The CUDA device index (0 on the CPU). */
    public int device() {
        return context.device();
    }

    /** One line: backend, device name, memory, driver, compiled architectures. */
    public String describe() {
        if (shards != null) {
            StringBuilder b = new StringBuilder("sharded by " + shards.split().name().toLowerCase() + " over "
                    + shardCount() + " contexts:");
            for (Engine e : shards.engines()) b.append(" [").append(e.describe()).append(']');
            return b.toString();
        }
        try (Call call = call()) {
            return context.describe();
        }
    }

    /** Free and total bytes of the context's memory (device memory, or host memory on the CPU). */
    public MemoryInfo memoryInfo() {
        try (Call call = call()) {
            return context.memoryInfo();
        }
    }

    /**
     * Context allocations this engine holds now: matrices not yet closed and the workspaces of
     * runs in progress. A run that ends, fails or is cancelled gives its own back, so a count
     * that grows across runs is a leak.
     */
    public int liveAllocations() {
        if (shards != null) return shards.engines().stream().mapToInt(Engine::liveAllocations).sum();
        try (Call call = call()) {
            return context.liveAllocations();
        }
    }

    /**
     * Calls {@code listener} with every context matrix whose values the engine scans for NaN and
     * infinities (null: none). For tests and profiling: a sampler should scan its data once.
     */
    public void onValueScan(Consumer<Matrix> listener) {
        scanListener = listener;
    }

    // ---- memory ---------------------------------------------------------------------------

    /** A zero-initialised matrix in context memory. */
    public DeviceMatrix allocate(long rows, int cols) {
        Checks.shape(rows, cols, "matrix");
        try (Call call = call()) {
            if (rows == 0) return new DeviceMatrix(context, 0, cols, 0, true);
            long address = context.alloc(rows * cols * Float.BYTES, rows + " x " + cols + " matrix");
            context.fill(address, 0f, rows * cols);
            return new DeviceMatrix(context, rows, cols, address, true);
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
        try (Call call = call()) {
            return new DeviceMatrix(context, rows, cols, address, false);
        }
    }

    // ---- hand-offs with other CUDA code ------------------------------------------------------

    /**
     * This engine's later work waits for the caller's CUDA event ({@code cudaEvent_t} or
     * {@code CUevent}, as a raw handle; the kgen-jcuda module takes JCuda's objects) without
     * blocking this thread. A sharded engine's shards all wait. CUDA engines only.
     */
    public void waitForEvent(long cudaEvent) {
        requireHandle(cudaEvent, "cudaEvent");
        onEveryShard(handle -> kgen_wait_event(handle, cudaEvent), "waiting for the caller's event");
    }

    /** This engine's later work waits for everything queued on the caller's stream so far (0: the legacy default stream). */
    public void waitForStream(long cudaStream) {
        onEveryShard(handle -> kgen_wait_stream(handle, cudaStream), "waiting for the caller's stream");
    }

    /**
     * Records the caller's CUDA event after all of this engine's work so far, so the caller's
     * stream can wait on it. (Every engine call has finished its device work when it returns; the
     * event makes the order explicit for the caller's own streams.) A sharded engine records on
     * its home, whose context it shares.
     */
    public void recordEvent(long cudaEvent) {
        requireHandle(cudaEvent, "cudaEvent");
        try (Call call = call()) {
            call.complete(kgen_record_event(call.handle(), cudaEvent), "recording the caller's event");
        }
    }

    private static void requireHandle(long handle, String name) {
        if (handle == 0) throw new IllegalArgumentException(name + " is 0 (null)");
    }

    /** Runs a native hand-off on this context, or on every shard's. */
    private void onEveryShard(java.util.function.LongToIntFunction op, String what) {
        if (shards != null) {
            for (Engine e : shards.engines()) e.onEveryShard(op, what);
            return;
        }
        try (Call call = call()) {
            call.complete(op.applyAsInt(call.handle()), what);
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
        if (source.size() == 0) return;
        try (Call call = call()) {
            long from = call.input(source, "source");
            long to = call.output(target, "target");
            context.copyWithin(to, from, source.bytes());
            call.complete(0, "copy");
        }
    }

    /** Sets every element of a context matrix (e.g. NaN, to poison an output). */
    public void fill(DeviceMatrix target, float value) {
        Checks.notNull(target, "target");
        try (Call call = call()) {
            if (target.size() > 0) context.fill(call.output(target, "target"), value, target.size());
        }
    }

    // ---- kernel sums ----------------------------------------------------------------------

    /** LSE, softmax-weighted mean and gradient sum (the KDE score) for every query, on the host. */
    public KernelSums kernelSums(KernelSum spec, Matrix queries, Matrix data) {
        Checks.nonEmpty(queries, "queries");
        long m = queries.rows();
        int d = queries.cols();
        Checks.heapLength(m, d, "mean");
        KernelSums out = new KernelSums(FloatMatrix.heap(m, 1), FloatMatrix.heap(m, d), FloatMatrix.heap(m, d));
        kernelSums(spec, queries, data, new KernelSumOutputs(out.lse(), out.mean(), out.gradient()));
        return out;
    }

    /** Writes the reduction into the requested outputs (host or context matrices). */
    public void kernelSums(KernelSum spec, Matrix queries, Matrix data, KernelSumOutputs out) {
        Checks.notNull(out, "out");
        if (shards != null) {
            checkKernelOperands(spec, queries, data);
            if (out.lse() != null) Checks.rowsCols(out.lse(), queries.rows(), 1, "lse");
            if (out.mean() != null) Checks.rowsCols(out.mean(), queries.rows(), queries.cols(), "mean");
            if (out.gradient() != null) Checks.rowsCols(out.gradient(), queries.rows(), queries.cols(), "gradient");
            KernelSums sums = shards.kernelSums(spec, queries, data);
            place(sums.lse(), out.lse());
            place(sums.mean(), out.mean());
            place(sums.gradient(), out.gradient());
            return;
        }
        try (Call call = call()) {
            Operands o = Operands.kernel(call, spec, queries, data, false);
            long lse = call.optionalOutput(out.lse(), o.m, 1, "lse");
            long mean = call.optionalOutput(out.mean(), o.m, o.d, "mean");
            long gradient = call.optionalOutput(out.gradient(), o.m, o.d, "gradient");
            call.complete(kgen_kernel_sum(call.handle(), o.kernel, o.queries, o.m, o.data, o.n, o.d, o.weights,
                    o.bandwidths, o.bandwidth, o.leaveOneOut, lse, mean, gradient), "kernel sum");
        }
    }

    /** KDE log-density at every query with the normalised kernel: LSE - log Z_k(d, b). */
    public FloatMatrix logDensity(KernelSum spec, Matrix queries, Matrix data) {
        FloatMatrix out = FloatMatrix.heap(Checks.nonEmpty(queries, "queries").rows(), 1);
        logDensity(spec, queries, data, out);
        return out;
    }

    public void logDensity(KernelSum spec, Matrix queries, Matrix data, Matrix logDensity) {
        if (shards != null) {
            checkKernelOperands(spec, queries, data);
            Checks.rowsCols(logDensity, queries.rows(), 1, "logDensity");
            place(shards.logDensity(spec, queries, data), logDensity);
            return;
        }
        try (Call call = call()) {
            Operands o = Operands.kernel(call, spec, queries, data, false);
            long out = call.requiredOutput(logDensity, o.m, 1, "logDensity");
            call.complete(kgen_log_density(call.handle(), o.kernel, o.queries, o.m, o.data, o.n, o.d, o.weights,
                    o.bandwidths, o.bandwidth, o.leaveOneOut, out), "log-density");
        }
    }

    /** KDE score grad log p at every query (m x d); (MEAN - x) / h^2 for the Gaussian kernel. */
    public FloatMatrix score(KernelSum spec, Matrix queries, Matrix data) {
        Checks.nonEmpty(queries, "queries");
        FloatMatrix out = FloatMatrix.heap(queries.rows(), queries.cols());
        score(spec, queries, data, out);
        return out;
    }

    public void score(KernelSum spec, Matrix queries, Matrix data, Matrix score) {
        if (shards != null) {
            checkKernelOperands(spec, queries, data);
            Checks.rowsCols(score, queries.rows(), queries.cols(), "score");
            place(shards.score(spec, queries, data), score);
            return;
        }
        try (Call call = call()) {
            Operands o = Operands.kernel(call, spec, queries, data, false);
            long out = call.requiredOutput(score, o.m, o.d, "score");
            call.complete(kgen_score(call.handle(), o.kernel, o.queries, o.m, o.data, o.n, o.d, o.weights,
                    o.bandwidths, o.bandwidth, o.leaveOneOut, out), "score");
        }
    }

    /**
     * One Euler-Maruyama step with the Gaussian empirical score, fused into the reduction:
     * x <- x + step (MEAN - x) / h^2 + noiseScale z, in place, z element offset + i d + k of
     * {@code noise} (the draws {@link #addNoise} makes). The data must not be x.
     */
    public void gaussianScoreStep(KernelSum spec, Matrix x, Matrix data, double step, double noiseScale,
            RandomStream noise) {
        Checks.notNull(spec, "spec");
        if (spec.kernel() != Kernel.GAUSSIAN) {
            throw new IllegalArgumentException("gaussianScoreStep needs the Gaussian kernel, got " + spec.kernel());
        }
        if (spec.leaveOneOut()) throw new IllegalArgumentException("gaussianScoreStep takes no leave-one-out");
        if (x == data) throw new IllegalArgumentException("x must not be the data: the step writes x in place");
        float stepSize = Checks.asFloat(step, "step");
        float scale = Checks.asFloat(noiseScale, "noiseScale");
        Checks.notNull(noise, "noise");
        if (shards != null) {
            // the score from the shards, then the step on the home: the same draws, two roundings
            checkKernelOperands(spec, x, data);
            eulerStep(x, step, shards.score(spec, x, data), noiseScale, noise);
            return;
        }
        try (Call call = call()) {
            Operands o = Operands.kernel(call, spec, x, data, false);
            call.readWrite(x, o.queries, "x");
            call.complete(kgen_gaussian_score_step(call.handle(), o.queries, o.m, o.data, o.n, o.d, o.weights,
                    o.bandwidths, o.bandwidth, stepSize, scale, noise.seed(), noise.stream(), noise.offset()), "Gaussian score step");
        }
    }

    // ---- nearest neighbours and distance sums -----------------------------------------------

    /**
     * The two nearest data rows of every query (MATH.md section 6). With leave-one-out (queries
     * = data) a row is not its own neighbour.
     */
    public NearestTwo nearestTwo(Matrix queries, Matrix data, boolean leaveOneOut) {
        Checks.nonEmpty(queries, "queries");
        if (shards != null && !leaveOneOut) {
            checkPairOperands(queries, data, null);
            return shards.nearestTwo(queries, data);
        }
        FloatMatrix distances = FloatMatrix.heap(queries.rows(), 2);
        long[] indices = new long[Checks.heapLength(queries.rows(), 2, "indices")];
        try (Call call = call()) {
            Operands o = Operands.pairs(call, queries, data, null, leaveOneOut);
            long indicesAt = call.scratch(indices.length * (long) Long.BYTES, "indices");
            call.complete(kgen_nearest_two(call.handle(), o.queries, o.m, o.data, o.n, o.d, o.leaveOneOut,
                    call.output(distances, "distances"), indicesAt), "nearest two");
            context.copyToHost(indices, indicesAt, "indices");
        }
        return new NearestTwo(distances, indices);
    }

    /** sum_j w_j |x_i - y_j| for every query (unit weights when null): energy distances. */
    public FloatMatrix distanceSums(Matrix queries, Matrix data, Matrix weights, boolean leaveOneOut) {
        Checks.nonEmpty(queries, "queries");
        if (shards != null && !leaveOneOut) {
            checkPairOperands(queries, data, weights);
            return shards.distanceSums(queries, data, weights);
        }
        FloatMatrix sums = FloatMatrix.heap(queries.rows(), 1);
        try (Call call = call()) {
            Operands o = Operands.pairs(call, queries, data, weights, leaveOneOut);
            call.complete(kgen_distance_sum(call.handle(), o.queries, o.m, o.data, o.n, o.d, o.weights,
                    o.leaveOneOut, call.output(sums, "sums")), "distance sum");
        }
        return sums;
    }

    // ---- partial states -------------------------------------------------------------------

    /**
     * The partial state of the queries against a slice of the data (see {@link PartialSums} for
     * the weighting). With leave-one-out the pair (i, j) is skipped where j == i + selfOffset (for a
     * slice starting at global data row j0: selfOffset = -j0).
     */
    public void partialSums(KernelSum spec, Matrix queries, Matrix dataSlice, long selfOffset, PartialSums out) {
        Checks.notNull(out, "out");
        try (Call call = call()) {
            Operands o = Operands.kernel(call, spec, queries, dataSlice, true);
            PartialAddresses a = PartialAddresses.place(out, o.m, o.d, call::output);
            call.complete(kgen_kernel_sum_partial(call.handle(), o.kernel, o.queries, o.m, o.data, o.n, o.d,
                    o.weights, o.bandwidths, o.bandwidth, o.leaveOneOut, selfOffset, a.max(), a.sum(), a.weighted(),
                    a.gradient()), "partial kernel sum");
        }
    }

    public PartialSums partialSums(KernelSum spec, Matrix queries, Matrix dataSlice, long selfOffset) {
        Checks.nonEmpty(queries, "queries");
        PartialSums out = PartialSums.host(queries.rows(), queries.cols(), true);
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
        if ((a.gradientSum() == null) != (b.gradientSum() == null)) {
            throw new IllegalArgumentException("a and b must both have a gradientSum or both not");
        }
        try (Call call = call()) {
            PartialAddresses pa = PartialAddresses.place(a, a.rows(), a.cols(), call::inoutUnchecked);
            PartialAddresses pb = PartialAddresses.place(b, a.rows(), a.cols(), call::input);
            call.complete(kgen_partial_merge(call.handle(), a.rows(), a.cols(), pa.max(), pa.sum(), pa.weighted(),
                    pa.gradient(), pb.max(), pb.sum(), pb.weighted(), pb.gradient()), "merging partial states");
        }
    }

    /** The kernel sums of a complete state (host matrices). */
    public KernelSums finalizePartial(PartialSums state) {
        Checks.notNull(state, "state");
        long m = state.rows();
        int d = state.cols();
        KernelSums out = new KernelSums(FloatMatrix.heap(m, 1), FloatMatrix.heap(m, d),
                state.gradientSum() != null ? FloatMatrix.heap(m, d) : null);
        try (Call call = call()) {
            PartialAddresses a = PartialAddresses.place(state, m, d, call::input);
            long gradient = out.gradient() == null ? 0 : call.output(out.gradient(), "gradient");
            call.complete(kgen_partial_finalize(call.handle(), m, d, a.max(), a.sum(), a.weighted(), a.gradient(),
                    call.output(out.lse(), "lse"), call.output(out.mean(), "mean"), gradient),
                    "finalizing a partial state");
        }
        return out;
    }

    // ---- random numbers and particle updates ------------------------------------------------

    /** Fills {@code out} with Philox standard normals: element k of {@code out} is element offset + k. */
    public void fillNormal(Matrix out, RandomStream random) {
        fillRandom(out, random, true);
    }

    /** Fills {@code out} with Philox uniforms in [0, 1). */
    public void fillUniform(Matrix out, RandomStream random) {
        fillRandom(out, random, false);
    }

    public FloatMatrix normal(long rows, int cols, RandomStream random) {
        FloatMatrix out = FloatMatrix.heap(rows, cols);
        fillNormal(out, random);
        return out;
    }

    /** x <- x + alpha a, elementwise. */
    public void addScaled(Matrix x, double alpha, Matrix a) {
        update(x, alpha, Checks.notNull(a, "a"), 0, null, 0, null);
    }

    /** x <- x + alpha a + beta b, elementwise. */
    public void addScaled(Matrix x, double alpha, Matrix a, double beta, Matrix b) {
        update(x, alpha, Checks.notNull(a, "a"), beta, Checks.notNull(b, "b"), 0, null);
    }

    /** x <- x + sigma z, z the Philox normals of {@code noise} (element offset + k for element k of x). */
    public void addNoise(Matrix x, double sigma, RandomStream noise) {
        update(x, 0, null, 0, null, sigma, Checks.notNull(noise, "noise"));
    }

    /** One Euler-Maruyama step: x <- x + step drift + sigma z, z as in {@link #addNoise}. */
    public void eulerStep(Matrix x, double step, Matrix drift, double sigma, RandomStream noise) {
        update(x, step, Checks.notNull(drift, "drift"), 0, null, sigma, Checks.notNull(noise, "noise"));
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
        try (Call call = call()) {
            long yAt = call.inout(y, "y");
            long aAt = call.finiteInput(a, "a");
            long xAt = x == null ? 0 : call.finiteInput(x, "x");
            long scale = call.finiteInput(rowScale, "rowScale");
            call.complete(kgen_row_update(call.handle(), yAt, aAt, xAt, scale, y.rows(), y.cols()), "row update");
        }
    }

    /** The sum of squares of all elements, accumulated in double in a fixed order. */
    public double sumSquares(Matrix values) {
        Checks.notNull(values, "values");
        if (values.size() == 0) return 0;
        double[] result = {0};
        try (Call call = call()) {
            call.complete(kgen_sum_squares(call.handle(), call.input(values, "values"), values.size(), result),
                    "sum of squares");
        }
        return result[0];
    }

    // ---- life cycle -----------------------------------------------------------------------

    @Override
    public void close() {
        if (shards != null) shards.close();
        context.lock.lock();
        try {
            context.close();
        } finally {
            context.lock.unlock();
        }
    }

    public boolean isClosed() {
        return context.isClosed();
    }

    @Override
    public String toString() {
        if (shards != null) return "Engine[sharded by " + shards.split() + " over " + shardCount() + " contexts]";
        return "Engine[" + backend() + (backend() == Backend.CUDA ? " " + device() : "") + (isClosed() ? ", closed]" : "]");
    }

    // ---- internals ------------------------------------------------------------------------

    private Call call() {
        return new Call(context, scanListener);
    }

    /** A sharded call's checks, the same as one engine's, before the work is split. */
    private void checkKernelOperands(KernelSum spec, Matrix queries, Matrix data) {
        try (Call call = call()) {
            Operands.kernel(call, spec, queries, data, false);
        }
    }

    private void checkPairOperands(Matrix queries, Matrix data, Matrix weights) {
        try (Call call = call()) {
            Operands.pairs(call, queries, data, weights, false);
        }
    }

    /** Writes a sharded result (host) into the caller's output, when there is one. */
    private void place(FloatMatrix result, Matrix target) {
        if (target == null) return;
        if (target instanceof FloatMatrix host) host.setRows(0, result);
        else copy(result, target);
    }

    private void update(Matrix x, double alpha, Matrix a, double beta, Matrix b, double sigma, RandomStream noise) {
        try (Call call = call()) {
            ParticleCalls.update(call, x, alpha, a, beta, b, sigma, noise);
        }
    }

    private void fillRandom(Matrix out, RandomStream random, boolean normal) {
        Checks.notNull(out, "out");
        Checks.notNull(random, "random");
        if (out.size() == 0) return;
        try (Call call = call()) {
            ParticleCalls.fill(call, out, random, normal);
        }
    }}
