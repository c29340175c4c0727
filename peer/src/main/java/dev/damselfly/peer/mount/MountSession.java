package dev.damselfly.peer.mount;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.rafsmount.MountHandle;
import dev.damselfly.rafsmount.MountOptions;
import dev.damselfly.rafsmount.RafsMount;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.prefetch.PrefetchPolicy;
import dev.damselfly.rafsmount.source.BlobSource;
import dev.damselfly.rafsmount.source.FileBlobSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live lazy mount assembled from a {@link MountSpec}: the image's bootstrap (fetched from the registry, or a local
 * file), its blob sources in order (blob directory, then the node, then the registry), the blob cache, prefetch, the
 * access trace and the meters, and the FUSE mount itself. Used by {@code damselfly mount} (one session per process)
 * and by the node (many sessions, one per mount point). A bootstrap fetched into a temporary directory is removed as
 * soon as it is mounted (the mount reads it through a memory mapping), so a process killed while mounted leaves no
 * copy behind. {@link #close()} unmounts cleanly. Thread-safe; {@code close} is idempotent.
 */
public final class MountSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MountSession.class);

    private final MountSpec spec;
    private final MountHandle handle;
    private final SimpleMeterRegistry ownMeters;
    private final List<BlobSource> sources;
    private final Instant mountedAt = Instant.now();
    private boolean closed;

    private MountSession(MountSpec spec, MountHandle handle, SimpleMeterRegistry ownMeters, List<BlobSource> sources) {
        this.spec = spec;
        this.handle = handle;
        this.ownMeters = ownMeters;
        this.sources = List.copyOf(sources);
    }

    /**
     * Fetches the bootstrap when needed, mounts, starts prefetch when asked, and returns once the mount is live. On
     * any failure nothing stays mounted, the temporary bootstrap is removed and the registry client is closed.
     *
     * @throws NotANydusImageException when the image has no Nydus bootstrap layer
     * @throws dev.damselfly.rafsmount.MountException when the FUSE mount cannot start (reason in it)
     * @throws IOException when the registry or a file cannot be read
     */
    public static MountSession start(MountSpec spec) throws IOException {
        Path temporaryDir = null;
        MountHandle handle = null;
        long t0 = System.nanoTime();
        long manifestNanos = 0;
        long bootstrapNanos = 0;
        try {
            List<BlobSource> sources = new ArrayList<>();
            if (spec.blobDir() != null) {
                sources.add(FileBlobSource.directory(spec.blobDir()));
            }
            Path bootstrap;
            Optional<ImageReference> image = spec.image();
            if (image.isPresent()) {
                ImageReference ref = image.get();
                RegistryClient client = spec.registryClient();
                Descriptor layer = NydusImages.bootstrapLayer(client, ref, Platform.current());
                manifestNanos = System.nanoTime() - t0;
                Path dir = spec.workDir() != null ? Files.createDirectories(spec.workDir())
                        : (temporaryDir = Files.createTempDirectory("damselfly-mount-"));
                bootstrap = NydusImages.fetchBootstrap(client, ref, layer, dir.resolve(layer.digest().hex() + ".boot"));
                bootstrapNanos = System.nanoTime() - t0 - manifestNanos;
                spec.nodeSource().apply(ref).ifPresent(sources::add);
                sources.add(new RegistryBlobSource(client, ref));
            } else {
                bootstrap = spec.bootstrap();
            }
            SimpleMeterRegistry own = new SimpleMeterRegistry();
            CompositeMeterRegistry meters = new CompositeMeterRegistry();
            meters.add(own);
            if (spec.meterRegistry() != null) {
                meters.add(spec.meterRegistry());
            }
            MountOptions options = MountOptions.of(sources.toArray(BlobSource[]::new))
                    .withAmplifyIo(spec.amplifyIo()).withAllowOther(spec.allowOther()).withMeterRegistry(meters)
                    .withTransport(spec.transport());
            if (spec.cacheDir() != null) {
                options = options.withCache(spec.cacheDir(), spec.cacheMaxBytes());
            }
            if (spec.accessTraceFile() != null) {
                options = options.withAccessTrace(spec.accessTraceFile());
            }
            if (spec.prefetches()) {
                options = options.withPrefetch(new PrefetchPolicy(spec.prefetch() == PrefetchMode.ALL,
                        spec.prefetchBytesPerSecond(), spec.prefetchPaths()));
            }
            long beforeMount = System.nanoTime();
            handle = RafsMount.mount(bootstrap, spec.mountpoint(), options);
            long mountNanos = System.nanoTime() - beforeMount;
            long bootstrapBytes = Files.size(bootstrap);
            removeTemporary(temporaryDir); // mapped by the mount: the file is no longer needed
            MountSession session = new MountSession(spec, handle, own, sources);
            LOG.info("mounted source={} mountpoint={} sources={} manifest_ms={} bootstrap_ms={} bootstrap_bytes={} fuse_ms={} "
                    + "took_ms={}", spec.describeSource(), handle.mountpoint(), sources.stream().map(BlobSource::name).toList(),
                    manifestNanos / 1_000_000, bootstrapNanos / 1_000_000, bootstrapBytes, mountNanos / 1_000_000,
                    (System.nanoTime() - t0) / 1_000_000);
            return session;
        } catch (IOException | RuntimeException | Error e) {
            if (handle != null) {
                try {
                    handle.close();
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            removeTemporary(temporaryDir);
            closeClient(spec);
            throw e;
        }
    }

    /** The spec this session was started from. */
    public MountSpec spec() {
        return spec;
    }

    /** What was mounted, for people: the image reference or the bootstrap file. */
    public String source() {
        return spec.describeSource();
    }

    /** The live mount point (absolute, normalized). */
    public Path mountpoint() {
        return handle.mountpoint();
    }

    public Instant mountedAt() {
        return mountedAt;
    }

    /** The blob sources in the order chunks are looked for. */
    public List<BlobSource> sources() {
        return sources;
    }

    /** Paths read so far, in first-read order. */
    public List<String> accessTrace() {
        return handle.accessTrace();
    }

    /** Whether the FUSE loop still runs (false after {@link #close()} or an outside {@code fusermount -u}). */
    public boolean isMounted() {
        return handle.isMounted();
    }

    /** How the mount talks to the kernel now: KERNEL, KERNEL_URING (its rings serve requests) or LIBFUSE. */
    public FuseTransport transport() {
        return handle.transport();
    }

    /** Requests answered through FUSE-over-io_uring rings so far (0 unless {@link #transport()} is KERNEL_URING). */
    public long ringRequests() {
        return handle.ringRequests();
    }

    /** Blocks until the mount ends ({@link #close()} from another thread, or {@code fusermount -u}). */
    public void awaitUnmount() throws InterruptedException {
        handle.awaitUnmount();
    }

    /** This mount's own counters so far. */
    public MountStats stats() {
        Map<String, Long> fetched = new HashMap<>();
        for (Counter c : ownMeters.find(MountMetrics.FETCH_BYTES).counters()) {
            fetched.merge(c.getId().getTag("source"), (long) c.count(), Long::sum);
        }
        return new MountStats(count(MountMetrics.READ_BYTES, null), count(MountMetrics.CACHE, "hit"),
                count(MountMetrics.CACHE, "miss"), fetched, count(MountMetrics.VERIFICATION_FAILURES, null));
    }

    private long count(String name, String result) {
        var search = ownMeters.find(name);
        if (result != null) {
            search = search.tag("result", result);
        }
        Counter c = search.counter();
        return c == null ? 0 : (long) c.count();
    }

    /** Unmounts (waiting for the FUSE loop to end), writes the access trace, closes the cache and the client. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            handle.close();
            LOG.info("unmounted source={} mountpoint={}", spec.describeSource(), handle.mountpoint());
        } finally {
            closeClient(spec);
        }
    }

    private static void closeClient(MountSpec spec) {
        if (spec.registryClient() != null) {
            try {
                spec.registryClient().close();
            } catch (RuntimeException e) {
                LOG.warn("closing the registry client of {} failed: {}", spec.describeSource(), e.toString());
            }
        }
    }

    private static void removeTemporary(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (var entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warn("cannot remove the temporary bootstrap directory {}: {}", dir, e.toString());
        }
    }
}
