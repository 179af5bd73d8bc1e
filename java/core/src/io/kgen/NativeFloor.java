package io.kgen;

/**
 * The oldest Linux the packaged native libraries load on, as their ELF symbol versions require
 * (checked against the built libraries by NativeFloorTest), and the driver the CUDA backend needs.
 * Debian 12, Ubuntu 22.04, RHEL 9 and Amazon Linux 2023 meet it; RHEL 8, Ubuntu 20.04 and Amazon
 * Linux 2 do not.
 */
public final class NativeFloor {
    private NativeFloor() {}

    /** glibc: the JNI glue's dlopen family (2.34, where libdl joined libc). */
    public static final String GLIBC = "2.34";
    /** libstdc++: GLIBCXX and CXXABI versions of GCC 11's runtime (std::exception_ptr, std::thread). */
    public static final String GLIBCXX = "3.4.22";
    public static final String CXXABI = "1.3.13";
    /** The NVIDIA driver the CUDA 13 runtime inside needs (none for the CPU backend). */
    public static final String NVIDIA_DRIVER = "580";

    public static String describe() {
        return "glibc " + GLIBC + "+, libstdc++ of GCC 11+ (GLIBCXX_" + GLIBCXX + ", CXXABI_" + CXXABI
                + "); for CUDA: NVIDIA driver r" + NVIDIA_DRIVER + "+";
    }
}
