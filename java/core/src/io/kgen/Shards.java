package io.kgen;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reductions of a sharded engine ({@link Engine#sharded}): each split into contiguous blocks,
 * one per shard ({@link ShardSplit}), run at once on one Java thread per shard, and put back
 * together in shard order, so a result never depends on which shard finishes first. Arguments are
 * checked by the engine before they get here; results come back as host matrices.
 *
 * <p>Operands as the shards see them: a host matrix goes to every shard as it is (each stages its
 * own copy); a matrix of the home context (shard 0) is viewed in place by shard 0, and by the
 * other shards as well when every shard is a CPU context (one address space); otherwise it is
 * downloaded once per call and handed on as a host matrix.
 */
final class Shards implements AutoCloseable {
    private final List<Engine> engines;
    private final ShardSplit split;
    private final boolean oneAddressSpace;
    private final ExecutorService workers;

    Shards(List<Engine> engines, ShardSplit split) {
        this.engines = List.copyOf(engines);
        this.split = split;
        this.oneAddressSpace = engines.stream().allMatch(e -> e.backend() == Backend.CPU);
        AtomicInteger index = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(engines.size(), task -> {
            Thread t = new Thread(task, "kgen-shard-" + index.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    List<Engine> engines() {
        return engines;
    }

    ShardSplit split() {
        return split;
    }

    private Engine home() {
        return engines.get(0);
    }

    // ---- reductions -------------------------------------------------------------------------

    /** LSE (with the engine's 1/n convention), mean and gradient of every query. */
    KernelSums kernelSums(KernelSum spec, Matrix queries, Matrix data) {
        if (split == ShardSplit.QUERIES && !spec.leaveOneOut()) {
            List<KernelSums> parts = byQueries(queries, (engine, v, first, count) -> engine.kernelSums(
                    v.queryBlock(spec, first, count, engine), v.rows(queries, first, count, engine), v.all(data, engine)));
            return new KernelSums(stack(parts, KernelSums::lse), stack(parts, KernelSums::mean),
                    stack(parts, KernelSums::gradient));
        }
        return split == ShardSplit.QUERIES ? queryBlockPartials(spec, queries, data)
                : dataBlockPartials(spec, queries, data);
    }

    /** The KDE score of every query (the gradient of the kernel sums). */
    FloatMatrix score(KernelSum spec, Matrix queries, Matrix data) {
        if (split == ShardSplit.QUERIES && !spec.leaveOneOut()) {
            return stack(byQueries(queries, (engine, v, first, count) -> engine.score(v.queryBlock(spec, first, count, engine),
                    v.rows(queries, first, count, engine), v.all(data, engine))), m -> m);
        }
        return kernelSums(spec, queries, data).gradient();
    }

    /** The KDE log-density of every query. */
    FloatMatrix logDensity(KernelSum spec, Matrix queries, Matrix data) {
        if (split == ShardSplit.QUERIES && !spec.leaveOneOut()) {
            return stack(byQueries(queries, (engine, v, first, count) -> engine.logDensity(
                    v.queryBlock(spec, first, count, engine), v.rows(queries, first, count, engine), v.all(data, engine))),
                    m -> m);
        }
        return PartialResults.logDensity(home(), spec, kernelSums(spec, queries, data).lse(), queries.cols());
    }

    /** The two nearest data rows of every query, each shard taking a block of queries. */
    NearestTwo nearestTwo(Matrix queries, Matrix data) {
        List<NearestTwo> parts = byQueries(queries, (engine, v, first, count) -> engine.nearestTwo(
                v.rows(queries, first, count, engine), v.all(data, engine), false));
        long[] indices = new long[Checks.heapLength(queries.rows(), 2, "indices")];
        int at = 0;
        for (NearestTwo part : parts) {
            System.arraycopy(part.indices(), 0, indices, at, part.indices().length);
            at += part.indices().length;
        }
        return new NearestTwo(stack(parts, NearestTwo::distances), indices);
    }

    /** sum_j w_j |x_i - y_j| of every query, each shard taking a block of queries. */
    FloatMatrix distanceSums(Matrix queries, Matrix data, Matrix weights) {
        return stack(byQueries(queries, (engine, v, first, count) -> engine.distanceSums(
                v.rows(queries, first, count, engine), v.all(data, engine), v.all(weights, engine), false)), m -> m);
    }

    // ---- the two partial-state plans --------------------------------------------------------

    /** Blocks of queries against all the data, leaving one out by offset: query i is data row first + i. */
    private KernelSums queryBlockPartials(KernelSum spec, Matrix queries, Matrix data) {
        List<KernelSums> parts = byQueries(queries, (engine, v, first, count) -> PartialResults.kernelSums(engine,
                engine.partialSums(v.queryBlock(spec, first, count, engine), v.rows(queries, first, count, engine),
                        v.all(data, engine), first), data.rows(), spec.weights() != null, spec.leaveOneOut()));
        return new KernelSums(stack(parts, KernelSums::lse), stack(parts, KernelSums::mean),
                stack(parts, KernelSums::gradient));
    }

    /** All the queries against blocks of the data; the states merge on the home shard in shard order. */
    private KernelSums dataBlockPartials(KernelSum spec, Matrix queries, Matrix data) {
        List<PartialSums> parts = run(data.rows(), (engine, v, first, count) -> engine.partialSums(
                v.dataBlock(spec, first, count, engine), v.all(queries, engine), v.rows(data, first, count, engine), -first));
        PartialSums state = parts.get(0);
        for (int s = 1; s < parts.size(); s++) home().mergePartial(state, parts.get(s));
        return PartialResults.kernelSums(home(), state, data.rows(), spec.weights() != null, spec.leaveOneOut());
    }

    // ---- running blocks ---------------------------------------------------------------------

    /** One shard's block: rows first .. first + count - 1 of whatever the plan splits. */
    private interface Block<T> {
        T run(Engine engine, Views views, long first, long count);
    }

    private <T> List<T> byQueries(Matrix queries, Block<T> block) {
        return run(queries.rows(), block);
    }

    /**
     * Runs the blocks of {@code total} rows, one per shard (shards whose block would be empty sit
     * out), waits for all of them, and returns their results in shard order. The first failure, in
     * shard order, is rethrown as it was thrown.
     */
    private <T> List<T> run(long total, Block<T> block) {
        int shards = engines.size();
        try (Views views = new Views()) {
            List<Future<T>> futures = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                long first = total * s / shards;
                long count = total * (s + 1) / shards - first;
                if (count == 0) continue;
                Engine engine = engines.get(s);
                futures.add(workers.submit(() -> block.run(engine, views, first, count)));
            }
            // Every block is waited for, even when one fails or this thread is interrupted: a shard
            // may be reading the caller's memory until it returns.
            List<T> results = new ArrayList<>();
            Throwable failure = null;
            boolean interrupted = false;
            for (Future<T> f : futures) {
                while (true) {
                    try {
                        results.add(f.get());
                        break;
                    } catch (ExecutionException e) {
                        if (failure == null) failure = e.getCause();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            if (failure instanceof RuntimeException r) throw r;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new KgenException(KgenException.Status.INTERNAL, failure.toString());
            return results;
        }
    }

    /** The blocks' row matrices one under the other, in shard order. */
    private static <T> FloatMatrix stack(List<T> parts, java.util.function.Function<T, FloatMatrix> part) {
        long rows = 0;
        for (T p : parts) rows += part.apply(p).rows();
        FloatMatrix first = part.apply(parts.get(0));
        FloatMatrix out = FloatMatrix.heap(rows, first.cols());
        long at = 0;
        for (T p : parts) {
            FloatMatrix block = part.apply(p);
            out.setRows(at, block);
            at += block.rows();
        }
        return out;
    }

    /**
     * How one call's operands reach each shard, and the views and downloads it made on the way
     * (closed when the call ends). Shared by the call's shard threads.
     */
    private final class Views implements AutoCloseable {
        private final Map<DeviceMatrix, FloatMatrix> downloads = new IdentityHashMap<>();
        private final List<DeviceMatrix> opened = new ArrayList<>();

        /** The whole of m (null stays null), for {@code engine}. */
        Matrix all(Matrix m, Engine engine) {
            return m == null ? null : rows(m, 0, m.rows(), engine);
        }

        /** Rows first .. first + count - 1 of m, for {@code engine}. */
        Matrix rows(Matrix m, long first, long count, Engine engine) {
            if (m instanceof FloatMatrix host) {
                return first == 0 && count == host.rows() ? host : host.copyRows(first, count);
            }
            DeviceMatrix onHome = (DeviceMatrix) m;
            if (engine == home() && first == 0 && count == onHome.rows()) return onHome;
            if (engine == home() || oneAddressSpace) {
                DeviceMatrix view = engine.wrapDevicePointer(
                        onHome.address() + first * onHome.cols() * (long) Float.BYTES, count, onHome.cols());
                synchronized (opened) {
                    opened.add(view);
                }
                return view;
            }
            FloatMatrix host;
            synchronized (downloads) {
                host = downloads.computeIfAbsent(onHome, DeviceMatrix::download);
            }
            return rows(host, first, count, engine);
        }

        /** The spec for a block of queries: per-query bandwidths cut to the block. */
        KernelSum queryBlock(KernelSum spec, long first, long count, Engine engine) {
            if (!(spec.bandwidth() instanceof Bandwidth.PerQuery per)) return spec;
            return spec.withBandwidth(Bandwidth.perQuery(rows(per.values(), first, count, engine)));
        }

        /** The spec for a block of data rows: weights cut to the block; per-query bandwidths whole. */
        KernelSum dataBlock(KernelSum spec, long first, long count, Engine engine) {
            KernelSum out = spec.weights() == null ? spec : spec.withWeights(rows(spec.weights(), first, count, engine));
            if (spec.bandwidth() instanceof Bandwidth.PerQuery per) {
                out = out.withBandwidth(Bandwidth.perQuery(all(per.values(), engine)));
            }
            return out;
        }

        @Override
        public void close() {
            opened.forEach(DeviceMatrix::close);
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
        RuntimeException first = null;
        for (Engine e : engines) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                if (first == null) first = ex;
            }
        }
        if (first != null) throw first;
    }
}
