package dev.damselfly.rafsmount;

import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.prefetch.PrefetchPolicy;
import dev.damselfly.rafsmount.source.BlobSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.file.Path;
import java.util.List;

/**
 * How to mount an image. Start from {@link #of(BlobSource...)} and adjust with the {@code with…} methods.
 *
 * @param sources         where blob bytes come from, tried in this order on a retry (at least one)
 * @param cacheDirectory  blob cache directory (nydusd {@code work_dir} layout), or null for no disk cache;
 *                        default null
 * @param cacheMaxBytes   bound on cached chunk bytes; default {@link #DEFAULT_CACHE_MAX_BYTES} (10 GiB)
 * @param amplifyIo       largest merged source read in bytes (nydusd {@code amplify_io}); default
 *                        {@link #DEFAULT_AMPLIFY_IO} (1 MiB); values below {@link #MIN_AMPLIFY_IO} (128 KiB) act
 *                        as 128 KiB, as in nydusd
 * @param accessTraceFile file written on unmount with the paths in first-read order, one per line, or null
 *                        for none; default null
 * @param timeoutSeconds  kernel entry/attribute/negative-lookup cache timeout, seconds; default
 *                        {@link #DEFAULT_TIMEOUT_SECONDS} (2^32 − 1, effectively forever: images never change)
 * @param allowOther      let other users access the mount (libfuse {@code allow_other}); default false
 * @param debug           log every FUSE request (libfuse's debug output on stderr; the kernel transport's at INFO);
 *                        default false
 * @param meterRegistry   where the mount's meters go (names in
 *                        {@link dev.damselfly.rafsmount.metrics.MountMetrics}); default an empty
 *                        {@link CompositeMeterRegistry}, which discards them
 * @param prefetch        what to prefetch into the blob cache, started as soon as the image is open (before the
 *                        FUSE mount), or null for nothing; needs a cache; default null
 * @param transport       how the mount talks to the kernel's FUSE driver; default {@link FuseTransport#AUTO}
 *                        (Damselfly's own protocol implementation when running as root, else libfuse)
 */
public record MountOptions(List<BlobSource> sources, Path cacheDirectory, long cacheMaxBytes, int amplifyIo,
                           Path accessTraceFile, long timeoutSeconds, boolean allowOther, boolean debug,
                           MeterRegistry meterRegistry, PrefetchPolicy prefetch, FuseTransport transport) {
    /** 10 GiB. */
    public static final long DEFAULT_CACHE_MAX_BYTES = 10L << 30;
    /** 1 MiB, nydusd's default {@code amplify_io}. */
    public static final int DEFAULT_AMPLIFY_IO = 1 << 20;
    /** 128 KiB, the smallest effective {@code amplify_io}. */
    public static final int MIN_AMPLIFY_IO = 128 << 10;
    /** 2^32 − 1 seconds. */
    public static final long DEFAULT_TIMEOUT_SECONDS = 0xFFFF_FFFFL;

    public MountOptions {
        sources = List.copyOf(sources);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("at least one blob source is needed");
        }
        if (meterRegistry == null) {
            throw new IllegalArgumentException("meterRegistry must not be null (the default discards meters)");
        }
        if (cacheMaxBytes < 0 || amplifyIo <= 0 || timeoutSeconds < 0) {
            throw new IllegalArgumentException("cacheMaxBytes, amplifyIo and timeoutSeconds must be positive");
        }
        if (transport == null) {
            throw new IllegalArgumentException("transport must not be null (FuseTransport.AUTO picks one)");
        }
    }

    /** Defaults with these sources. */
    public static MountOptions of(BlobSource... sources) {
        return new MountOptions(List.of(sources), null, DEFAULT_CACHE_MAX_BYTES, DEFAULT_AMPLIFY_IO, null,
                DEFAULT_TIMEOUT_SECONDS, false, false,
                new CompositeMeterRegistry(), null, FuseTransport.AUTO);
    }

    /** Caches chunks in {@code directory}, at most {@code maxBytes} bytes. */
    public MountOptions withCache(Path directory, long maxBytes) {
        return new MountOptions(sources, directory, maxBytes, amplifyIo, accessTraceFile, timeoutSeconds, allowOther, debug, meterRegistry, prefetch, transport);
    }

    public MountOptions withAmplifyIo(int bytes) {
        return new MountOptions(sources, cacheDirectory, cacheMaxBytes, bytes, accessTraceFile, timeoutSeconds, allowOther, debug, meterRegistry, prefetch, transport);
    }

    public MountOptions withAccessTrace(Path file) {
        return new MountOptions(sources, cacheDirectory, cacheMaxBytes, amplifyIo, file, timeoutSeconds, allowOther, debug, meterRegistry, prefetch, transport);
    }

    public MountOptions withTimeoutSeconds(long seconds) {
        return new MountOptions(sources, cacheDirectory, cacheMaxBytes, amplifyIo, accessTraceFile, seconds, allowOther, debug, meterRegistry, prefetch, transport);
    }

    public MountOptions withAllowOther(boolean allow) {
        return new MountOptions(sources, cacheDirectory, cacheMaxBytes, amplifyIo, accessTraceFile, timeoutSeconds, allow, debug, meterRegistry, prefetch, transport);
    }

    public MountOptions withDebug(boolean on) {
        return new MountOptions(sources, cacheDirectory, cacheMaxBytes, amplifyIo, accessTraceFile, timeoutSeconds, allowOther, on, meterRegistry, prefetch, transport);
    }

    /** Registers the mount's meters in {@code registry} (e.g. the node's Prometheus registry). */
    public MountOptions withMeterRegistry(MeterRegistry registry) {
        return new MountOptions(sources, cacheDirectory, cacheMaxBytes, amplifyIo, accessTraceFile, timeoutSeconds,
                allowOther, debug, registry, prefetch, transport);
    }

    /** Prefetches {@code policy} into the cache from the moment the image is open (null: nothing). */
    public MountOptions withPrefetch(PrefetchPolicy policy) {
        return new MountOptions(sources, cacheDirectory, cacheMaxBytes, amplifyIo, accessTraceFile, timeoutSeconds,
                allowOther, debug, meterRegistry, policy, transport);
    }

    /** Talks to the kernel through {@code fuseTransport}. */
    public MountOptions withTransport(FuseTransport fuseTransport) {
        return new MountOptions(sources, cacheDirectory, cacheMaxBytes, amplifyIo, accessTraceFile, timeoutSeconds,
                allowOther, debug, meterRegistry, prefetch, fuseTransport);
    }

    /** {@link #amplifyIo()} raised to {@link #MIN_AMPLIFY_IO}. */
    public int effectiveAmplifyIo() {
        return Math.max(amplifyIo, MIN_AMPLIFY_IO);
    }
}
