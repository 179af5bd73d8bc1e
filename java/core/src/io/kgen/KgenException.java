package io.kgen;

/**
 * A failure reported by the native library (allocation, device, or internal), or a request that
 * does not fit in memory. Argument errors found before native code runs are
 * {@link IllegalArgumentException}s.
 */
public class KgenException extends RuntimeException {
    /** The ABI's kgen_status codes. */
    public enum Status {
        INVALID_ARGUMENT(1), OUT_OF_MEMORY(2), DEVICE_ERROR(3), UNAVAILABLE(4), INTERNAL(5),
        /** A device fault lost the engine's context: close the engine and open a new one. */
        CONTEXT_LOST(6);

        final int code;

        Status(int code) {
            this.code = code;
        }

        static Status of(int code) {
            for (Status s : values()) if (s.code == code) return s;
            return INTERNAL;
        }
    }

    private final Status status;

    public KgenException(Status status, String message) {
        super(message);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
