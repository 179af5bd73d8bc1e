package io.kgen.sampling;

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
    void denoise(Engine engine, DeviceMatrix data, DeviceMatrix x, double t, long seed, long step, DeviceMatrix out);

    /** x + tau s_t(x) for the given score, tau its {@link ScoreEstimator#denoisingTime}. */
    static Denoiser kernel(ScoreEstimator score) {
        Arguments.notNull(score, "score");
        return (engine, data, x, t, seed, step, out) -> {
            score.score(engine, data, x, t, seed, step, out);
            try (DeviceMatrix scaled = engine.allocate(x.rows(), x.cols())) {
                engine.copy(x, scaled);
                engine.particleUpdate(scaled, (float) score.denoisingTime(t), out, 0f, null, 0f, 0, 0, 0);
                engine.copy(scaled, out);
            }
        };
    }
}
