package dev.damselfly.rafsmount.fuse;

/**
 * libfuse settings of one mount.
 *
 * @param timeoutSeconds entry, attribute and negative-lookup cache timeouts given to the kernel, seconds (the
 *                       image never changes, so nydusd uses effectively infinite ones)
 * @param allowOther     let users other than the mounting one access the mount (libfuse {@code allow_other})
 * @param debug          libfuse debug output on stderr ({@code -d})
 * @param maxWorkers     most Java threads serving FUSE requests at once (threads; default
 *                       {@link #DEFAULT_MAX_WORKERS}); the loop starts with one and adds one whenever every thread is
 *                       busy, so this bounds how many requests (e.g. reads waiting for a slow chunk source) run
 *                       concurrently
 */
public record FuseConfig(long timeoutSeconds, boolean allowOther, boolean debug, int maxWorkers) {
    /** Default {@link #maxWorkers()}: 64 threads. */
    public static final int DEFAULT_MAX_WORKERS = 64;

    public FuseConfig {
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("maxWorkers must be at least 1, got " + maxWorkers);
        }
    }

    /** Settings with {@link #DEFAULT_MAX_WORKERS} worker threads. */
    public FuseConfig(long timeoutSeconds, boolean allowOther, boolean debug) {
        this(timeoutSeconds, allowOther, debug, DEFAULT_MAX_WORKERS);
    }
}
