package io.kgen;

import io.kgen.nativeapi.KgenNative;

/**
 * Loads the native library once, checks that its ABI is the one this jar was built for, and hands
 * it OpenBLAS where that is on the class path.
 */
final class NativeLibrary {
    static final int ABI_VERSION = 5;
    private static volatile boolean loaded;

    private NativeLibrary() {}

    static void ensureLoaded() {
        if (loaded) return;
        synchronized (NativeLibrary.class) {
            if (loaded) return;
            int version;
            try {
                version = KgenNative.kgen_abi_version();
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                throw new KgenException(KgenException.Status.UNAVAILABLE, "cannot load the kgen native library for "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ": " + e);
            }
            if (version != ABI_VERSION) {
                throw new KgenException(KgenException.Status.UNAVAILABLE, "native library ABI " + version
                        + " does not match the Java layer's " + ABI_VERSION);
            }
            OpenBlas.offer();
            loaded = true;
        }
    }
}
