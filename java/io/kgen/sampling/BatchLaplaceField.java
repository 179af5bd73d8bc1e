package io.kgen.sampling;

import io.kgen.KernelSumOutputs;
import io.kgen.Checks;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;
import io.kgen.FloatMatrix;
import io.kgen.KernelSum;

/**
 * Deng et al.'s batch-normalised, multi-temperature Laplace drift (MATH.md section 5). For each
 * temperature T: distances are divided by their batch mean r (over particle-data and
 * particle-particle pairs), logits a_ij = -|x_i - s_j| / (T r), weights
 * W_ij = sqrt(softmax over j * softmax over i) = exp(a_ij - (Lr_i + Lc_j) / 2), with Lr and Lc
 * the row and column log-sum-exps, and V_T(x_i) = sum_j W+_ij (y_j - x_i) - sum_l W-_il (x_l - x_i)
 * (self excluded). Each V_T is scaled to unit RMS (over all m x d entries) and the scaled fields
 * are summed.
 *
 * <p>How it runs on the engine: the column factor exp(-Lc_j / 2) is a data weight, so
 * sum_j W_ij (s_j - x_i) = c_i (MEAN^w_i - x_i) with one weighted kernel sum, and only vectors of
 * m or n log-sums cross to the host; the particles stay in the context.
 */
final class BatchLaplaceField {
    static final double[] DEFAULT_TEMPERATURES = {0.02, 0.05, 0.2};

    private final double[] temperatures;

    BatchLaplaceField(double[] temperatures) {
        if (temperatures.length == 0) throw new IllegalArgumentException("at least one temperature is needed");
        for (double t : temperatures) Checks.positiveFinite(t, "temperature");
        this.temperatures = temperatures.clone();
    }

    /** Writes the summed, RMS-normalised field at the particles into {@code out}. */
    void drift(Workspace work, DeviceMatrix data, DeviceMatrix x, DeviceMatrix out) {
        Engine engine = work.engine();
        long m = x.rows();
        long n = data.rows();
        int d = x.cols();
        double pairs = (double) m * n + (double) m * (m - 1);
        double meanDistance = (engine.distanceSums(x, data, null, false).sum()
                + engine.distanceSums(x, x, null, true).sum()) / pairs;
        DeviceMatrix field = work.buffer("batch field", m, d);
        engine.fill(out, 0f);
        for (double temperature : temperatures) {
            float tau = (float) (temperature * meanDistance);
            SetTerm pull = setTerm(engine, x, data, tau, false, work.buffer("batch mean data", m, d));
            SetTerm push = setTerm(engine, x, x, tau, true, work.buffer("batch mean particles", m, d));
            // One common shift keeps the two terms' relative scale; the RMS step removes it anyway.
            double shift = Math.max(max(pull.logScale), max(push.logScale));
            engine.fill(field, 0f);
            engine.rowUpdate(field, pull.mean, x, scales(pull.logScale, shift, 1));
            engine.rowUpdate(field, push.mean, x, scales(push.logScale, shift, -1));
            double rms = Math.sqrt(engine.sumSquares(field) / ((double) m * d));
            if (rms > 0) engine.addScaled(out, 1 / rms, field);
        }
    }

    /** log c_i and MEAN^w of one set (data, or the particles themselves with leave-one-out). */
    private record SetTerm(double[] logScale, DeviceMatrix mean) {}

    private static SetTerm setTerm(Engine engine, DeviceMatrix x, DeviceMatrix set, float tau, boolean self,
            DeviceMatrix mean) {
        KernelSum spec = KernelSum.laplace(tau).withLeaveOneOut(self);
        long m = x.rows();
        long n = set.rows();
        // Row log-sum-exps without the uniform weight: LSE + log(count).
        double[] rows = logSums(engine, spec, x, set, Math.log(self ? n - 1 : n));
        // Column log-sum-exps over the particles; for the particles themselves the kernel is symmetric.
        double[] columns = self ? rows : logSums(engine, KernelSum.laplace(tau), set, x, Math.log(m));
        double smallest = Double.POSITIVE_INFINITY;
        for (double c : columns) smallest = Math.min(smallest, c);
        float[] weights = new float[(int) n];
        for (int j = 0; j < n; j++) weights[j] = (float) Math.exp(-(columns[j] - smallest) / 2); // in (0, 1]
        FloatMatrix weightedLse = FloatMatrix.heap(m, 1);
        engine.kernelSums(spec.withWeights(weights), x, set, KernelSumOutputs.lseAndMean(weightedLse, mean));
        double[] logScale = new double[(int) m];
        for (int i = 0; i < m; i++) logScale[i] = weightedLse.get(i, 0) - smallest / 2 - rows[i] / 2;
        return new SetTerm(logScale, mean);
    }

    private static double[] logSums(Engine engine, KernelSum spec, DeviceMatrix queries, DeviceMatrix set, double offset) {
        FloatMatrix lse = FloatMatrix.heap(queries.rows(), 1);
        engine.kernelSums(spec, queries, set, KernelSumOutputs.lseAndMean(lse, null));
        double[] out = new double[(int) queries.rows()];
        for (int i = 0; i < out.length; i++) out[i] = lse.get(i, 0) + offset;
        return out;
    }

    private static FloatMatrix scales(double[] logScale, double shift, int sign) {
        FloatMatrix s = FloatMatrix.heap(logScale.length, 1);
        for (int i = 0; i < logScale.length; i++) s.set(i, 0, (float) (sign * Math.exp(logScale[i] - shift)));
        return s;
    }


    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        return m;
    }
}
