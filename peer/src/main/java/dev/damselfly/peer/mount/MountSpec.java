package dev.damselfly.peer.mount;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.rafsmount.MountOptions;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.source.BlobSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything {@link MountSession#start} needs to mount one Nydus image: where the image is (a registry reference
 * with its client, or a local bootstrap with a blob directory), where it goes, and how chunks are fetched and kept.
 * Build with {@link #ofImage} or {@link #ofBootstrap}, then the {@code with…} methods of the {@link Builder};
 * {@link Builder#build()} checks the combination.
 */
public final class MountSpec {
    /** The blob cache bound when none is given: 10 GiB, as {@code damselfly mount --cache-size}. */
    public static final long DEFAULT_CACHE_MAX_BYTES = MountOptions.DEFAULT_CACHE_MAX_BYTES;
    /** The largest merged source read when none is given: 1 MiB (nydusd's {@code amplify_io}). */
    public static final int DEFAULT_AMPLIFY_IO = MountOptions.DEFAULT_AMPLIFY_IO;

    private final ImageReference image;
    private final RegistryClient registryClient;
    private final Path bootstrap;
    private final Path mountpoint;
    private final Path blobDir;
    private final Path workDir;
    private final Path cacheDir;
    private final long cacheMaxBytes;
    private final int amplifyIo;
    private final Path accessTraceFile;
    private final boolean allowOther;
    private final FuseTransport transport;
    private final PrefetchMode prefetch;
    private final List<String> prefetchPaths;
    private final long prefetchBytesPerSecond;
    private final Function<ImageReference, Optional<BlobSource>> nodeSource;
    private final MeterRegistry meterRegistry;

    private MountSpec(Builder b) {
        this.image = b.image;
        this.registryClient = b.registryClient;
        this.bootstrap = b.bootstrap;
        this.mountpoint = b.mountpoint;
        this.blobDir = b.blobDir;
        this.workDir = b.workDir;
        this.cacheDir = b.cacheDir;
        this.cacheMaxBytes = b.cacheMaxBytes;
        this.amplifyIo = b.amplifyIo;
        this.accessTraceFile = b.accessTraceFile;
        this.allowOther = b.allowOther;
        this.transport = b.transport;
        this.prefetch = b.prefetch;
        this.prefetchPaths = List.copyOf(b.prefetchPaths);
        this.prefetchBytesPerSecond = b.prefetchBytesPerSecond;
        this.nodeSource = b.nodeSource;
        this.meterRegistry = b.meterRegistry;
    }

    /**
     * An image in a registry: its bootstrap layer is fetched with {@code client}, its blobs are read with Range
     * requests. The session takes ownership of {@code client} and closes it when it ends.
     */
    public static Builder ofImage(ImageReference image, RegistryClient client, Path mountpoint) {
        Builder b = new Builder(mountpoint);
        b.image = image;
        b.registryClient = client;
        return b;
    }

    /** A local RAFS bootstrap whose blobs are files named by blob id in {@code blobDir}. */
    public static Builder ofBootstrap(Path bootstrap, Path blobDir, Path mountpoint) {
        Builder b = new Builder(mountpoint);
        b.bootstrap = bootstrap;
        b.blobDir = blobDir;
        return b;
    }

    /** The image reference, empty for a local bootstrap. */
    public Optional<ImageReference> image() {
        return Optional.ofNullable(image);
    }

    /** The registry client of an image, null for a local bootstrap. */
    public RegistryClient registryClient() {
        return registryClient;
    }

    /** The local bootstrap, null for an image (its bootstrap is fetched). */
    public Path bootstrap() {
        return bootstrap;
    }

    /** Where the image is mounted: an existing empty directory. */
    public Path mountpoint() {
        return mountpoint;
    }

    /** Directory of blobs named by blob id, tried before any other source; null for none. */
    public Path blobDir() {
        return blobDir;
    }

    /** Where a fetched bootstrap is kept; null = a temporary directory removed when the session closes. */
    public Path workDir() {
        return workDir;
    }

    /** Blob cache directory (nydusd's layout); null = no disk cache (default). */
    public Path cacheDir() {
        return cacheDir;
    }

    /** Cache bound in bytes; default {@link #DEFAULT_CACHE_MAX_BYTES}. */
    public long cacheMaxBytes() {
        return cacheMaxBytes;
    }

    /** Largest merged source read in bytes; default {@link #DEFAULT_AMPLIFY_IO}. */
    public int amplifyIo() {
        return amplifyIo;
    }

    /** File written on unmount with the paths in first-read order; null for none (default). */
    public Path accessTraceFile() {
        return accessTraceFile;
    }

    /** Whether users other than the mounting one may read the mount; default false. */
    public boolean allowOther() {
        return allowOther;
    }

    /** How the mount talks to the kernel's FUSE driver; default {@link FuseTransport#AUTO}. */
    public FuseTransport transport() {
        return transport;
    }

    /** What to prefetch; default {@link PrefetchMode#NONE}. */
    public PrefetchMode prefetch() {
        return prefetch;
    }

    /** Paths prefetched first (absolute in the image); empty = the bootstrap's prefetch table (default). */
    public List<String> prefetchPaths() {
        return prefetchPaths;
    }

    /** Prefetch bandwidth limit in bytes per second; 0 = unlimited (default). */
    public long prefetchBytesPerSecond() {
        return prefetchBytesPerSecond;
    }

    /** Whether anything is prefetched: a mode other than NONE, or listed paths. */
    public boolean prefetches() {
        return prefetch != PrefetchMode.NONE || !prefetchPaths.isEmpty();
    }

    /**
     * For an image: the node-side source tried before the registry (the local node's store and peers), or empty
     * when there is none; default none.
     */
    public Function<ImageReference, Optional<BlobSource>> nodeSource() {
        return nodeSource;
    }

    /** Extra registry the mount's meters also go to (the node's, or the CLI's {@code --metrics-listen}); may be null. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** What is mounted, for logs and listings: the image reference or the bootstrap path. */
    public String describeSource() {
        return image != null ? image.toString() : bootstrap.toString();
    }

    /** Collects the optional parts of a {@link MountSpec}. Not thread-safe. */
    public static final class Builder {
        private ImageReference image;
        private RegistryClient registryClient;
        private Path bootstrap;
        private final Path mountpoint;
        private Path blobDir;
        private Path workDir;
        private Path cacheDir;
        private long cacheMaxBytes = DEFAULT_CACHE_MAX_BYTES;
        private int amplifyIo = DEFAULT_AMPLIFY_IO;
        private Path accessTraceFile;
        private boolean allowOther;
        private FuseTransport transport = FuseTransport.AUTO;
        private PrefetchMode prefetch = PrefetchMode.NONE;
        private List<String> prefetchPaths = List.of();
        private long prefetchBytesPerSecond;
        private Function<ImageReference, Optional<BlobSource>> nodeSource = ref -> Optional.empty();
        private MeterRegistry meterRegistry;

        private Builder(Path mountpoint) {
            this.mountpoint = mountpoint;
        }

        public Builder withBlobDir(Path dir) {
            this.blobDir = dir;
            return this;
        }

        public Builder withWorkDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        public Builder withCache(Path dir, long maxBytes) {
            this.cacheDir = dir;
            this.cacheMaxBytes = maxBytes;
            return this;
        }

        public Builder withAmplifyIo(int bytes) {
            this.amplifyIo = bytes;
            return this;
        }

        public Builder withAccessTrace(Path file) {
            this.accessTraceFile = file;
            return this;
        }

        public Builder withAllowOther(boolean allow) {
            this.allowOther = allow;
            return this;
        }

        public Builder withTransport(FuseTransport fuseTransport) {
            this.transport = Objects.requireNonNull(fuseTransport, "fuseTransport");
            return this;
        }

        /** @param bytesPerSecond 0 = unlimited */
        public Builder withPrefetch(PrefetchMode mode, List<String> paths, long bytesPerSecond) {
            this.prefetch = mode;
            this.prefetchPaths = paths;
            this.prefetchBytesPerSecond = bytesPerSecond;
            return this;
        }

        public Builder withNodeSource(Function<ImageReference, Optional<BlobSource>> source) {
            this.nodeSource = source;
            return this;
        }

        public Builder withMeterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /** @throws IllegalArgumentException naming what is wrong with the combination */
        public MountSpec build() {
            if (mountpoint == null) {
                throw new IllegalArgumentException("a mount point is required");
            }
            if ((image == null) == (bootstrap == null)) {
                throw new IllegalArgumentException("exactly one of an image reference and a bootstrap is required");
            }
            if (image != null && registryClient == null) {
                throw new IllegalArgumentException("an image needs a registry client");
            }
            if (bootstrap != null && blobDir == null) {
                throw new IllegalArgumentException("a local bootstrap needs a blob directory");
            }
            if (prefetch == null || prefetchPaths == null || nodeSource == null) {
                throw new IllegalArgumentException("prefetch mode, prefetch paths and node source must not be null");
            }
            if (cacheMaxBytes < 0 || amplifyIo <= 0 || prefetchBytesPerSecond < 0) {
                throw new IllegalArgumentException("cache size and prefetch bandwidth must be 0 or more, amplify-io more than 0");
            }
            MountSpec spec = new MountSpec(this);
            if (spec.prefetches() && cacheDir == null) {
                throw new IllegalArgumentException("prefetch needs a cache directory (prefetched chunks are kept there)");
            }
            return spec;
        }
    }
}
