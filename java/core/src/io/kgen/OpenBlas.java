package io.kgen;

import io.kgen.nativeapi.KgenNative;
import java.io.File;
import java.io.IOException;
import org.bytedeco.javacpp.Loader;

/**
 * Hands JavaCPP's OpenBLAS (the natives jar {@code org.bytedeco:openblas:...:linux-x86_64}, a
 * dependency of kgen-core that a user may exclude) to the native library, whose CPU fast path then
 * runs its high-d blocks on sgemm. The libraries are extracted to JavaCPP's cache; the Fortran
 * run-time libraries OpenBLAS links are loaded first, since only OpenBLAS itself finds its
 * neighbours. Without the jar, or where loading fails (logged as a warning), the hand-written
 * blocks stay in use: slower, with the same accuracy.
 */
final class OpenBlas {
    private static final System.Logger LOG = System.getLogger("io.kgen");
    /** In load order: libopenblas needs libgfortran, which needs libquadmath. */
    private static final String[] LIBRARIES = {"libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0"};

    private OpenBlas() {}

    /** Called once, after the native library has loaded. */
    static void offer() {
        String folder = "/org/bytedeco/openblas/" + Loader.getPlatform() + "/";
        if (OpenBlas.class.getResource(folder + LIBRARIES[LIBRARIES.length - 1]) == null) {
            LOG.log(System.Logger.Level.DEBUG, "kgen: no OpenBLAS for " + Loader.getPlatform()
                    + " on the class path: the CPU's high-d blocks are the hand-written ones");
            return;
        }
        try {
            File library = null;
            for (String name : LIBRARIES) {
                library = Loader.cacheResource(OpenBlas.class, folder + name);
                if (library == null) throw new IOException(name + " is missing from the OpenBLAS jar");
                if (!name.equals(LIBRARIES[LIBRARIES.length - 1])) System.load(library.getPath());
            }
            int status = KgenNative.kgen_cpu_blas_load(library.getPath());
            if (status != 0) throw new IOException(KgenNative.kgen_last_error().getString());
            LOG.log(System.Logger.Level.DEBUG, "kgen: CPU high-d blocks on OpenBLAS sgemm (" + library + ")");
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            LOG.log(System.Logger.Level.WARNING, "kgen: cannot load OpenBLAS, the CPU's high-d blocks stay "
                    + "hand-written (slower): " + e.getMessage());
        }
    }
}
