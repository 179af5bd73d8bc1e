package io.kgen.sampling;

import io.kgen.Checks;
import io.kgen.DeviceMatrix;
import io.kgen.Engine;

/**
 * An estimate of E[X_0 | X_t = x] at noise level t, for DKGM's debiasing stage. The default is
 * the kernel denoiser x + t s(x) of a {@link ScoreEstimator}; a JVM model (a trained network)
 * plugs in by implementing this interface.
 */
@FunctionalInterface
public interface Denoiser {
    /** Writes D_t(x) into {@code out} (same shape as x); {@code step} keys any random draws. */
    void denoise(Workspace work, DeviceMatrix data, DeviceMatrix x, double t, long seed, long step, DeviceMatrix out);

    /** x + t s_t(x) for the given score (Tweedie's formula with that score). */
    static Denoiser kernel(ScoreEstimator score) {
        Checks.notNull(score, "score");
        return (work, data, x, t, seed, step, out) -> {
            Engine engine = work.engine();
            DeviceMatrix s = work.buffer("denoiser score", x.rows(), x.cols());
            score.score(work, data, x, t, seed, step, s);
            engine.copy(x, out);
            engine.addScaled(out, t, s);
        };
    }
}
