package io.kgen.experiments;

import io.kgen.Engine;
import java.nio.file.Path;

/**
 * What every experiment gets: the engine, the output folder, the seed, and whether to run the
 * small setting (a few minutes on 2 CPU cores) or the full one (minutes on one GPU).
 */
public record Settings(Engine engine, Path out, long seed, boolean small) {
    public Settings {
        if (engine == null) throw new IllegalArgumentException("engine is null");
        if (out == null) throw new IllegalArgumentException("out is null");
    }

    /** {@code full} normally, {@code reduced} in the small setting. */
    public int pick(int full, int reduced) {
        return small ? reduced : full;
    }

    public int[] pick(int[] full, int[] reduced) {
        return small ? reduced : full;
    }
}
