package dev.damselfly.peer.cli.mount;

import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.cli.options.ByteSizeConverter;
import dev.damselfly.rafsmount.MountHandle;
import dev.damselfly.rafsmount.MountOptions;
import dev.damselfly.rafsmount.RafsMount;
import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.peer.cli.options.CredentialsConverter;
import dev.damselfly.peer.cli.options.ImageLocationArgument;
import dev.damselfly.peer.cli.options.RegistryOptions;
import dev.damselfly.peer.mount.NydusImages;
import dev.damselfly.peer.mount.PeerBlobSource;
import dev.damselfly.peer.mount.RegistryBlobSource;
import dev.damselfly.rafsmount.prefetch.PrefetchPolicy;
import dev.damselfly.rafsmount.source.BlobSource;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code damselfly mount IMAGE|BOOTSTRAP MOUNTPOINT}: mounts a Nydus image from a registry, or a local RAFS
 * bootstrap with {@code --blob-dir}, read-only with FUSE, and
 * serves it until SIGINT/SIGTERM or an outside {@code damselfly umount}; then unmounts cleanly. File data is
 * read chunk by chunk on first access and checked against the bootstrap's digests.
 */
@Command(name = "mount", sortOptions = false,
        description = {"Mount a RAFS (Nydus) image lazily with FUSE, read-only, in the foreground. Every chunk is "
                + "verified against its digest before a byte reaches a reader; a corrupt chunk is an I/O error."})
public final class MountCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE|BOOTSTRAP",
            description = "A Nydus image in a registry (its bootstrap layer is fetched, blobs are read with Range requests), "
                    + "or a local RAFS v6/v5 bootstrap file (blobs from --blob-dir).")
    private String source;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "An empty directory.")
    private Path mountpoint;

    @Option(names = "--blob-dir", paramLabel = "DIR",
            description = "Directory holding the image's blobs, named by blob id (like nydusd's localfs backend); "
                    + "required for a local bootstrap, tried before the registry for an image.")
    private Path blobDir;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where an image's bootstrap is kept (default: a temporary directory removed on exit).")
    private Path workDir;

    @CommandLine.Mixin
    private RegistryOptions registryOptions;

    @Option(names = "--creds", paramLabel = "USER:PASSWORD", converter = CredentialsConverter.class,
            description = "Credentials for the image's registry.")
    private Credentials credentials;

    @Option(names = "--node", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:4004",
            description = "Admin address of the local Damselfly node; when one answers there, chunks are read through it "
                    + "(its cache, then its peers) before the registry (default ${DEFAULT-VALUE}).")
    private String node;

    @Option(names = "--no-node", description = "Read chunks from the registry directly even when a local node runs.")
    private boolean noNode;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT",
            description = "Serve this mount's Prometheus metrics (read latency, fetched bytes by source, cache hits, "
                    + "verification failures) at http://HOST:PORT/metrics and its access trace (paths in first-read "
                    + "order, one per line, ready for --prefetch-list) at /access-trace; off by default.")
    private String metricsListen;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Blob cache kept across mounts (nydusd's layout); none by default.")
    private Path cacheDir;

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "10GiB", converter = ByteSizeConverter.class,
            description = "Upper bound of the blob cache (default ${DEFAULT-VALUE}).")
    private long cacheSize;

    @Option(names = "--amplify-io", paramLabel = "SIZE", defaultValue = "1MiB", converter = ByteSizeConverter.class,
            description = "Adjacent missing chunks are fetched in one read of up to this size (default ${DEFAULT-VALUE}).")
    private long amplifyIo;

    @Option(names = "--access-trace", paramLabel = "FILE",
            description = "Write the files in the order they were first read, one path per line, on unmount.")
    private Path accessTrace;

    @Option(names = "--allow-other", description = "Let other users than the mounting one read the mount.")
    private boolean allowOther;

    /** What to prefetch in the background. */
    enum PrefetchMode { NONE, TABLE, ALL }

    @Option(names = "--prefetch", paramLabel = "MODE", defaultValue = "NONE",
            description = "Prefetch into the cache in the background: NONE, TABLE (the bootstrap's prefetch table, or "
                    + "--prefetch-list), ALL (those first, then every file). Needs --cache-dir. Default ${DEFAULT-VALUE}.")
    private PrefetchMode prefetch;

    @Option(names = "--prefetch-list", paramLabel = "FILE",
            description = "Paths to prefetch first, one per line (e.g. an --access-trace of an earlier run).")
    private Path prefetchList;

    @Option(names = "--prefetch-bandwidth", paramLabel = "SIZE", defaultValue = "0", converter = ByteSizeConverter.class,
            description = "Prefetch bandwidth limit in bytes per second (e.g. 50MiB); 0 = unlimited (default).")
    private long prefetchBandwidth;

    public MountCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        List<BlobSource> sources = new ArrayList<>();
        if (blobDir != null) {
            sources.add(FileBlobSource.directory(blobDir));
        }
        Path bootstrap;
        Path temporaryDir = null;
        if (Files.isRegularFile(Path.of(source))) {
            if (blobDir == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--blob-dir is required to mount a local bootstrap");
            }
            bootstrap = Path.of(source);
        } else {
            ImageReference ref = ImageLocationArgument.validate(spec.commandLine(), "IMAGE", source)
                    .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "IMAGE must be a registry reference"));
            RegistryClient client = registryOptions.client(source, java.util.Optional.of(ref), credentials, "--creds");
            Descriptor layer = NydusImages.bootstrapLayer(client, ref, Platform.current());
            Path dir = workDir != null ? Files.createDirectories(workDir) : (temporaryDir = Files.createTempDirectory("damselfly-mount-"));
            bootstrap = NydusImages.fetchBootstrap(client, ref, layer, dir.resolve(layer.digest().hex() + ".boot"));
            if (!noNode && PeerBlobSource.reachable(node, java.time.Duration.ofMillis(500))) {
                sources.add(new PeerBlobSource(node, ref, java.time.Duration.ofMinutes(6)));
                environment.err().println("reading chunks through the node at " + node + ", then the registry");
            }
            sources.add(new RegistryBlobSource(client, ref));
        }
        try {
            return mount(bootstrap, sources);
        } finally {
            if (temporaryDir != null) {
                Files.deleteIfExists(bootstrap);
                Files.deleteIfExists(temporaryDir);
            }
        }
    }

    private int mount(Path bootstrap, List<BlobSource> sources) throws Exception {
        MountOptions options;
        try {
            options = MountOptions.of(sources.toArray(BlobSource[]::new)).withAmplifyIo(Math.toIntExact(amplifyIo))
                    .withAllowOther(allowOther);
            if (cacheDir != null) {
                options = options.withCache(cacheDir, cacheSize);
            }
            if (accessTrace != null) {
                options = options.withAccessTrace(accessTrace);
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if ((prefetch != PrefetchMode.NONE || prefetchList != null) && cacheDir == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prefetch needs --cache-dir (prefetched chunks are kept there)");
        }
        List<String> listed = prefetchList == null ? List.of()
                : Files.readAllLines(prefetchList).stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
        dev.damselfly.peer.node.http.HttpEndpoints metricsHttp = null;
        if (metricsListen != null) {
            int colon = metricsListen.lastIndexOf(':');
            if (colon <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--metrics-listen must be HOST:PORT");
            }
            dev.damselfly.peer.node.metrics.NodeMetrics metrics = dev.damselfly.peer.node.metrics.NodeMetrics.create(
                    dev.damselfly.peer.cli.VersionProvider.version(), mountpoint);
            options = options.withMeterRegistry(metrics.registry());
            metricsHttp = dev.damselfly.peer.node.http.HttpEndpoints.start("mount-metrics",
                    new java.net.InetSocketAddress(metricsListen.substring(0, colon), Integer.parseInt(metricsListen.substring(colon + 1))),
                    1, java.util.Map.of("/", new dev.damselfly.peer.node.http.MetricsHandler(metrics)));
        }
        java.util.concurrent.atomic.AtomicReference<MountHandle> mounted = new java.util.concurrent.atomic.AtomicReference<>();
        if (metricsHttp != null) {
            metricsHttp.addHandler("/access-trace", new AccessTraceHandler(() -> {
                MountHandle h = mounted.get();
                return h == null ? List.of() : h.accessTrace();
            }));
        }
        MountHandle handle;
        try {
            handle = RafsMount.mount(bootstrap, mountpoint, options);
            mounted.set(handle);
        } catch (RuntimeException | java.io.IOException e) {
            if (metricsHttp != null) {
                metricsHttp.close();
            }
            throw e;
        }
        environment.out().println("mounted " + bootstrap + " on " + handle.mountpoint());
        environment.out().flush();
        if (prefetch != PrefetchMode.NONE || prefetchList != null) {
            handle.startPrefetch(new PrefetchPolicy(prefetch == PrefetchMode.ALL, prefetchBandwidth, listed));
        }
        try {
            handle.awaitUnmount();
            handle.close();
        } finally {
            if (metricsHttp != null) {
                metricsHttp.close();
            }
        }
        return 0;
    }
}
