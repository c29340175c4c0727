package dev.damselfly.rafsmount.fuse;

/**
 * FUSE settings of one mount.
 *
 * @param timeoutSeconds entry, attribute and negative-lookup cache timeouts given to the kernel, seconds (the
 *                       image never changes, so nydusd uses effectively infinite ones)
 * @param allowOther     let users other than the mounting one access the mount (libfuse {@code allow_other})
 * @param debug          libfuse debug output on stderr ({@code -d}; the kernel transport logs each request at
 *                       INFO instead)
 * @param maxWorkers     most Java threads serving FUSE requests at once (threads; default
 *                       {@link #DEFAULT_MAX_WORKERS}); the loop starts with one and adds one whenever every thread is
 *                       busy, so this bounds how many requests (e.g. reads waiting for a slow chunk source) run
 *                       concurrently
 * @param transport      how the mount talks to the kernel; default {@link FuseTransport#AUTO}
 */
public record FuseConfig(long timeoutSeconds, boolean allowOther, boolean debug, int maxWorkers, FuseTransport transport) {
    /** Default {@link #maxWorkers()}: 64 threads. */
    public static final int DEFAULT_MAX_WORKERS = 64;

    public FuseConfig {
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("maxWorkers must be at least 1, got " + maxWorkers);
        }
        if (transport == null) {
            throw new IllegalArgumentException("transport must not be null (FuseTransport.AUTO picks one)");
        }
    }

    /** Settings with {@link #DEFAULT_MAX_WORKERS} worker threads. */
    public FuseConfig(long timeoutSeconds, boolean allowOther, boolean debug, FuseTransport transport) {
        this(timeoutSeconds, allowOther, debug, DEFAULT_MAX_WORKERS, transport);
    }
}
