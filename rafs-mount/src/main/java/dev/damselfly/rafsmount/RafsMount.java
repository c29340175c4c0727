package dev.damselfly.rafsmount;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafsmount.MountException.Reason;
import dev.damselfly.rafsmount.cache.BlobCache;
import dev.damselfly.rafsmount.cache.CacheBusyException;
import dev.damselfly.rafsmount.fuse.FuseConfig;
import dev.damselfly.rafsmount.fuse.FuseMountException;
import dev.damselfly.rafsmount.fuse.FuseSession;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.fuse.InodeView;
import dev.damselfly.rafsmount.fuse.MountTable;
import dev.damselfly.rafsmount.fuse.kernel.KernelMount;
import dev.damselfly.rafsmount.fuse.kernel.RequestPathWarmUp;
import dev.damselfly.rafsmount.fuse.libfuse.LibFuseMount;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.prefetch.Prefetcher;
import dev.damselfly.rafsmount.read.AccessTrace;
import dev.damselfly.rafsmount.read.ChunkLoader;
import dev.damselfly.rafsmount.read.FileReader;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The facade: mounts a RAFS bootstrap lazily on a FUSE mount point.
 *
 * <pre>{@code
 * try (MountHandle m = RafsMount.mount(bootstrap, mountpoint,
 *         MountOptions.of(FileBlobSource.directory(blobDir)).withCache(cacheDir, 10L << 30))) {
 *     m.awaitUnmount(); // or use the files under mountpoint
 * }
 * }</pre>
 */
public final class RafsMount {
    private static final Path FUSE_DEVICE = Path.of("/dev/fuse");

    private RafsMount() {
    }

    /**
     * Mounts {@code bootstrap} at {@code mountpoint} (an existing empty directory) and returns once the mount
     * is live. The handle's {@link MountHandle#close()} unmounts; a JVM shutdown hook does too.
     *
     * @throws MountException naming the {@link Reason} when the mount cannot start
     */
    public static MountHandle mount(Path bootstrap, Path mountpoint, MountOptions options) throws MountException {
        Path mp = mountpoint.toAbsolutePath().normalize();
        checkFuseDevice(mp);
        checkMountpoint(mp);
        RafsImage image = openImage(bootstrap, mp);
        BlobCache cache = null;
        Prefetcher prefetcher = null;
        try {
            cache = openCache(options, mp);
            AccessTrace trace = new AccessTrace();
            MountMetrics metrics = new MountMetrics(options.meterRegistry());
            ChunkLoader loader = new ChunkLoader(image, options.sources(), cache, options.effectiveAmplifyIo(), metrics);
            FileReader reader = new FileReader(image, loader, trace, options.effectiveAmplifyIo());
            InodeView view = new InodeView(image, processId("unix:uid"), processId("unix:gid"), Instant.now().getEpochSecond());
            if (options.prefetch() != null) {
                if (cache == null) {
                    throw new IllegalStateException("prefetch needs a blob cache (MountOptions.withCache)");
                }
                // from here, so that its reads overlap the FUSE mount and whatever the caller starts next
                prefetcher = new Prefetcher(image, loader, options.prefetch(), MountHandle.prefetchReadBytes(options.effectiveAmplifyIo()));
                prefetcher.start();
            }
            FuseSession session;
            try {
                FuseConfig fuse = new FuseConfig(options.timeoutSeconds(), options.allowOther(), options.debug(),
                        options.transport().resolve());
                session = fuse.transport() != FuseTransport.LIBFUSE
                        ? KernelMount.mount(image, view, reader, mp, fuse, metrics)
                        : LibFuseMount.mount(image, view, reader, mp, fuse, metrics);
            } catch (FuseMountException e) {
                throw new MountException(Reason.FUSE_FAILED, mp, e.getMessage(), e);
            }
            if (cache != null) {
                metrics.bindCacheSize(mp.toString(), cache::usedBytes);
            }
            return new MountHandle(bootstrap, image, session, cache, trace, options.accessTraceFile(), loader,
                    options.effectiveAmplifyIo(), metrics, prefetcher);
        } catch (MountException | RuntimeException e) {
            cancelQuietly(prefetcher);
            closeQuietly(cache);
            image.close();
            throw e;
        }
    }

    /**
     * Loads the native binding the default transport uses (libfuse's, with its callback table, or the C library's for
     * the kernel transport) once without mounting anything, so that a long-running process (the node) pays for
     * generating them at start rather than in its first mount (a few hundred ms of a cold JVM). Safe to call any
     * number of times.
     *
     * @throws LinkageError when the library cannot be loaded (the first mount will say so too)
     */
    public static void warmUp() {
        if (FuseTransport.AUTO.resolve() == FuseTransport.LIBFUSE) {
            LibFuseMount.warmUp();
        } else {
            KernelMount.warmUp();
        }
    }

    /**
     * For a long-running process about to serve mounts through the kernel transport: rehearses a new mount's requests
     * (a walk and a read of a generated tree, without mounting; see {@link RequestPathWarmUp}) in {@code scratch},
     * which is emptied first and removed after, so that the JIT has compiled them before the first real mount. Returns
     * the requests answered, or 0 when the default transport is libfuse (nothing rehearsed).
     *
     * @throws IOException when the rehearsal fails (the first mount then pays for what was not compiled)
     */
    public static long warmUpRequests(Path scratch) throws IOException {
        if (FuseTransport.AUTO.resolve() != FuseTransport.KERNEL) {
            return 0;
        }
        return RequestPathWarmUp.run(scratch).requests();
    }

    private static void cancelQuietly(Prefetcher prefetcher) {
        if (prefetcher == null) {
            return;
        }
        try {
            prefetcher.cancel(); // before the cache and the bootstrap it reads are closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void checkFuseDevice(Path mp) throws MountException {
        if (!Files.exists(FUSE_DEVICE)) {
            throw new MountException(Reason.NO_FUSE_DEVICE, mp, FUSE_DEVICE + " does not exist (load the fuse kernel module, "
                    + "or give the container the device)", null);
        }
        if (!Files.isReadable(FUSE_DEVICE) || !Files.isWritable(FUSE_DEVICE)) {
            throw new MountException(Reason.NO_FUSE_DEVICE, mp, FUSE_DEVICE + " is not readable and writable by this user", null);
        }
    }

    private static void checkMountpoint(Path mp) throws MountException {
        if (!Files.isDirectory(mp)) {
            throw new MountException(Reason.MOUNTPOINT_NOT_DIRECTORY, mp, "the mount point is not an existing directory", null);
        }
        try {
            if (MountTable.isMountPoint(mp)) {
                throw new MountException(Reason.MOUNTPOINT_BUSY, mp, "something is already mounted there", null);
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(mp)) {
                if (entries.iterator().hasNext()) {
                    throw new MountException(Reason.MOUNTPOINT_NOT_EMPTY, mp, "the mount point is not empty", null);
                }
            }
        } catch (MountException e) {
            throw e;
        } catch (IOException e) {
            throw new MountException(Reason.MOUNTPOINT_NOT_DIRECTORY, mp, "cannot inspect the mount point: " + e, e);
        }
    }

    private static RafsImage openImage(Path bootstrap, Path mp) throws MountException {
        try {
            return RafsImages.open(bootstrap);
        } catch (RafsFormatException e) {
            throw new MountException(Reason.NOT_A_BOOTSTRAP, mp, bootstrap + " is not a RAFS bootstrap: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new MountException(Reason.BOOTSTRAP_UNREADABLE, mp, "cannot read bootstrap " + bootstrap + ": " + e, e);
        }
    }

    private static BlobCache openCache(MountOptions options, Path mp) throws MountException {
        if (options.cacheDirectory() == null) {
            return null;
        }
        try {
            return BlobCache.open(options.cacheDirectory(), options.cacheMaxBytes());
        } catch (CacheBusyException e) {
            throw new MountException(Reason.CACHE_UNAVAILABLE, mp, e.getMessage(), e);
        } catch (IOException e) {
            throw new MountException(Reason.CACHE_UNAVAILABLE, mp, "cannot open blob cache " + options.cacheDirectory()
                    + ": " + e, e);
        }
    }

    /** Effective uid/gid of this process: the owner of {@code /proc/self}. */
    private static long processId(String attribute) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), attribute)).longValue();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static void closeQuietly(BlobCache cache) {
        if (cache != null) {
            try {
                cache.close();
            } catch (IOException ignored) {
                // nothing was written through it yet
            }
        }
    }
}
