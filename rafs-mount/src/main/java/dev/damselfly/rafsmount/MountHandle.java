package dev.damselfly.rafsmount;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafsmount.cache.BlobCache;
import dev.damselfly.rafsmount.fuse.FuseSession;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.read.AccessTrace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.damselfly.rafsmount.prefetch.PrefetchPolicy;
import dev.damselfly.rafsmount.prefetch.Prefetcher;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.read.ChunkLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live mount made by {@link RafsMount#mount}. {@link #close()} unmounts it, writes the access trace (if
 * configured), closes the blob cache and the bootstrap; a JVM shutdown hook does the same if the process
 * ends first. Thread-safe; {@code close} is idempotent.
 */
public final class MountHandle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MountHandle.class);
    /** Longest wait at unmount for chunk fetches still running (extra chunks decoded in the background): 5 s. */
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final Path bootstrap;
    private final RafsImage image;
    private final FuseSession session;
    private final BlobCache cache;
    private final AccessTrace trace;
    private final Path traceFile;
    private final Thread shutdownHook;
    private final ChunkLoader loader;
    private final int batchBytes;
    private final MountMetrics metrics;
    private Prefetcher prefetcher;
    private boolean closed;

    MountHandle(Path bootstrap, RafsImage image, FuseSession session, BlobCache cache, AccessTrace trace, Path traceFile,
                ChunkLoader loader, int batchBytes, MountMetrics metrics, Prefetcher prefetcher) {
        this.metrics = metrics;
        this.prefetcher = prefetcher;
        this.loader = loader;
        this.batchBytes = batchBytes;
        this.bootstrap = bootstrap;
        this.image = image;
        this.session = session;
        this.cache = cache;
        this.trace = trace;
        this.traceFile = traceFile;
        this.shutdownHook = new Thread(this::closeOnShutdown, "unmount " + session.mountpoint());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A prefetch's largest source read for a mount with this amplify_io: the larger of the two and 4 MiB. */
    static int prefetchReadBytes(int amplifyIo) {
        return Math.max(amplifyIo, Prefetcher.DEFAULT_READ_BYTES);
    }

    /** The prefetch started with the mount or by {@link #startPrefetch}, if any. */
    public synchronized java.util.Optional<Prefetcher> prefetcher() {
        return java.util.Optional.ofNullable(prefetcher);
    }

    public Path mountpoint() {
        return session.mountpoint();
    }

    public Path bootstrap() {
        return bootstrap;
    }

    /** Paths read so far, in first-read order. */
    public List<String> accessTrace() {
        return trace.paths();
    }

    /**
     * Starts prefetching into the blob cache in the background (once per mount).
     *
     * @throws IllegalStateException without a cache (prefetched bytes would have nowhere to go) or when started twice
     */
    public synchronized Prefetcher startPrefetch(PrefetchPolicy policy) {
        if (cache == null) {
            throw new IllegalStateException("prefetch needs a blob cache (MountOptions.withCache)");
        }
        if (prefetcher != null) {
            throw new IllegalStateException("prefetch already started for " + mountpoint());
        }
        prefetcher = new Prefetcher(image, loader, policy, prefetchReadBytes(batchBytes));
        prefetcher.start();
        return prefetcher;
    }

    /** How the mount talks to the kernel now (see {@link FuseSession#transport()}). */
    public FuseTransport transport() {
        return session.transport();
    }

    /** Requests answered through FUSE-over-io_uring rings so far (0 unless mounted with {@code KERNEL_URING}). */
    public long ringRequests() {
        return session.ringRequests();
    }

    /** Whether the FUSE loop still runs (false after {@link #close()} or an external unmount). */
    public boolean isMounted() {
        return session.running();
    }

    /** Blocks until the mount ends (by {@link #close()} from another thread, or {@code fusermount -u}). */
    public void awaitUnmount() throws InterruptedException {
        session.awaitExit();
    }

    /** Unmounts, then writes the access trace and closes the cache and the bootstrap. */
    @Override
    public void close() throws IOException {
        release();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to
        }
    }

    private void closeOnShutdown() {
        try {
            release();
        } catch (IOException e) {
            LOG.warn("closing mount {} at shutdown: {}", session.mountpoint(), e.toString());
        }
    }

    private synchronized void release() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        if (prefetcher != null) {
            try {
                prefetcher.cancel(); // never under a prefetch still reading the cache or the mapped bootstrap
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean ended = session.unmount();
        metrics.unbind();
        if (traceFile != null) {
            try {
                trace.export(traceFile);
                LOG.info("access trace of {} ({} files) written to {}", session.mountpoint(), trace.paths().size(), traceFile);
            } catch (IOException e) {
                failure = e;
            }
        }
        if (cache != null) {
            try {
                // extra chunks still being decoded in the background finish their cache writes first
                if (!loader.awaitInflight(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    LOG.warn("chunk fetches of {} still running after {} s; closing its cache anyway", session.mountpoint(),
                            CLOSE_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                cache.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (ended) {
            image.close(); // never under a loop that may still call into the mapped bootstrap
        }
        if (failure != null) {
            throw failure;
        }
    }
}
