package dev.damselfly.rafsmount.metrics;

import dev.damselfly.rafsmount.source.BlobSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The meters of one mount, registered in a {@link MeterRegistry} (Micrometer names; Prometheus names in
 * brackets, as {@code damselfly node} exposes them):
 *
 * <ul>
 *   <li>{@value #READ_LATENCY} Timer of FUSE read requests, successful or not, with a percentile histogram
 *       ({@code damselfly_mount_read_latency_seconds});</li>
 *   <li>{@value #READ_BYTES} Counter of bytes returned to FUSE readers ({@code damselfly_mount_read_bytes_total});</li>
 *   <li>{@value #FETCH_BYTES} Counter of stored chunk bytes received from blob sources, tagged
 *       {@code source} = {@link BlobSource#kind()} ({@code damselfly_mount_chunk_fetch_bytes_total{source}});</li>
 *   <li>{@value #CACHE} Counter of chunks wanted by FUSE readers, tagged {@code result} = {@code hit} (served
 *       by the blob cache, or from the recent large chunks held in memory) or {@code miss} (fetched from a source,
 *       or awaited from another reader's fetch) ({@code damselfly_mount_chunk_cache_total{result}}); prefetch is not
 *       counted;</li>
 *   <li>{@value #CACHE_READ_BYTES} Counter of bytes read back from the blob cache's data files: whole chunks checked
 *       on their first use, ranges of chunks checked before ({@code damselfly_mount_chunk_cache_read_bytes_total});</li>
 *   <li>{@value #VERIFICATION_FAILURES} Counter of chunk attempts whose bytes failed decompression or their
 *       digest, from a source or from the cache ({@code damselfly_mount_verification_failures_total});</li>
 *   <li>{@value #CACHE_SIZE} Gauge of bytes accounted in the mount's blob cache, tagged {@code mountpoint}
 *       ({@code damselfly_mount_cache_size_bytes}); only with a cache, removed on unmount.</li>
 * </ul>
 *
 * Counters and the timer carry no mount tag: several mounts in one registry add up. Thread-safe.
 */
public final class MountMetrics {
    /** Timer name, seconds. */
    public static final String READ_LATENCY = "damselfly.mount.read.latency";
    /** Counter name, bytes. */
    public static final String READ_BYTES = "damselfly.mount.read.bytes";
    /** Counter name, bytes; tag {@code source}. */
    public static final String FETCH_BYTES = "damselfly.mount.chunk.fetch.bytes";
    /** Counter name, chunks; tag {@code result}. */
    public static final String CACHE = "damselfly.mount.chunk.cache";
    /** Counter name, bytes. */
    public static final String CACHE_READ_BYTES = "damselfly.mount.chunk.cache.read.bytes";
    /** Counter name, chunk attempts. */
    public static final String VERIFICATION_FAILURES = "damselfly.mount.verification.failures";
    /** Gauge name, bytes; tag {@code mountpoint}. */
    public static final String CACHE_SIZE = "damselfly.mount.cache.size";

    /** Smallest read latency the histogram resolves: 10 µs (a read served by the blob cache). */
    private static final Duration MIN_LATENCY = Duration.ofNanos(10_000);
    /** Largest read latency the histogram resolves: 60 s (a slow registry). */
    private static final Duration MAX_LATENCY = Duration.ofSeconds(60);

    private final MeterRegistry registry;
    private final Timer readLatency;
    private final Counter readBytes;
    private final Counter cacheHit;
    private final Counter cacheMiss;
    private final Counter verificationFailures;
    private final Counter cacheReadBytes;
    private final Map<String, Counter> fetchBytes = new ConcurrentHashMap<>();
    private volatile Gauge cacheSize;

    public MountMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.readLatency = Timer.builder(READ_LATENCY)
                .description("Latency of FUSE read requests on damselfly mounts")
                .publishPercentileHistogram(true)
                .minimumExpectedValue(MIN_LATENCY)
                .maximumExpectedValue(MAX_LATENCY)
                .register(registry);
        this.readBytes = Counter.builder(READ_BYTES).baseUnit("bytes")
                .description("Bytes returned to FUSE read requests").register(registry);
        this.cacheHit = cacheCounter("hit");
        this.cacheMiss = cacheCounter("miss");
        this.verificationFailures = Counter.builder(VERIFICATION_FAILURES)
                .description("Chunk attempts that failed decompression or their digest").register(registry);
        this.cacheReadBytes = Counter.builder(CACHE_READ_BYTES).baseUnit("bytes")
                .description("Bytes read back from the blob cache's data files").register(registry);
    }

    /** Meters that go nowhere (a registry with no backing registries). */
    public static MountMetrics discarding() {
        return new MountMetrics(new CompositeMeterRegistry());
    }

    private Counter cacheCounter(String result) {
        return Counter.builder(CACHE).tag("result", result)
                .description("Chunks wanted by FUSE readers, by whether the blob cache had them").register(registry);
    }

    /** One FUSE read request that took {@code nanos} and returned {@code bytes} (0 on an error). */
    public void readDone(long nanos, long bytes) {
        readLatency.record(nanos, TimeUnit.NANOSECONDS);
        if (bytes > 0) {
            readBytes.increment(bytes);
        }
    }

    /** {@code bytes} stored chunk bytes arrived from {@code source}. */
    public void fetched(BlobSource source, long bytes) {
        String kind = source.kind();
        fetchBytes.computeIfAbsent(kind == null || kind.isEmpty() ? "other" : kind,
                k -> Counter.builder(FETCH_BYTES).baseUnit("bytes").tag("source", k)
                        .description("Stored chunk bytes received from blob sources").register(registry))
                .increment(bytes);
    }

    /** A chunk a reader wanted was in the blob cache. */
    public void cacheHit() {
        cacheHit.increment();
    }

    /** A chunk a reader wanted was not in the blob cache. */
    public void cacheMiss() {
        cacheMiss.increment();
    }

    /** {@code bytes} were read back from the blob cache's data file. */
    public void cacheRead(long bytes) {
        cacheReadBytes.increment(bytes);
    }

    /** Bytes of one chunk failed decompression or their digest. */
    public void verificationFailed() {
        verificationFailures.increment();
    }

    /** Publishes {@code usedBytes} as the cache-size gauge of the mount at {@code mountpoint} (once). */
    public synchronized void bindCacheSize(String mountpoint, LongSupplier usedBytes) {
        if (cacheSize != null) {
            throw new IllegalStateException("cache size already bound for " + mountpoint);
        }
        cacheSize = Gauge.builder(CACHE_SIZE, usedBytes, s -> (double) s.getAsLong()).baseUnit("bytes")
                .tag("mountpoint", mountpoint).description("Bytes held in the mount's blob cache")
                .strongReference(true).register(registry);
    }

    /** Removes the per-mount meters (the cache-size gauge); the shared counters stay. */
    public synchronized void unbind() {
        if (cacheSize != null) {
            registry.remove(cacheSize);
            cacheSize = null;
        }
    }
}
