package dev.damselfly.peer.cli.mount;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.cli.VersionProvider;
import dev.damselfly.peer.cli.options.ByteSizeConverter;
import dev.damselfly.peer.cli.options.CredentialsConverter;
import dev.damselfly.peer.cli.options.ImageLocationArgument;
import dev.damselfly.peer.cli.options.RegistryOptions;
import dev.damselfly.peer.mount.MountSession;
import dev.damselfly.peer.mount.MountSpec;
import dev.damselfly.peer.mount.PeerBlobSource;
import dev.damselfly.peer.mount.PrefetchMode;
import dev.damselfly.peer.node.http.HttpEndpoints;
import dev.damselfly.peer.node.http.MetricsHandler;
import dev.damselfly.peer.node.metrics.NodeMetrics;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.source.BlobSource;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
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

    @Option(names = "--via-node",
            description = "Ask the node at --node to mount the image in its own process (its admin API, "
                    + "POST /api/v1/mounts) instead of mounting here: no FUSE in this process, which returns once the "
                    + "node says the mount is live. Unmount with `damselfly umount MOUNTPOINT`.")
    private boolean viaNode;

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

    @Option(names = "--fuse", paramLabel = "TRANSPORT", defaultValue = "AUTO",
            description = "How to talk to the kernel's FUSE driver: KERNEL (Damselfly's own protocol implementation on "
                    + "/dev/fuse, mounted with mount(2); needs root), KERNEL_URING (KERNEL with requests through FUSE-over-io_uring "
                    + "rings where the kernel offers them: Linux 6.14+, /sys/module/fuse/parameters/enable_uring=1), LIBFUSE (libfuse 2 through fusermount; any user) or "
                    + "AUTO (KERNEL as root, else LIBFUSE). Default: ${DEFAULT-VALUE}.")
    private FuseTransport fuseTransport;

    @Option(names = "--prefetch", paramLabel = "MODE", defaultValue = "NONE",
            description = "Prefetch into the cache in the background, from the moment the bootstrap is open: NONE, TABLE "
                    + "(the bootstrap's prefetch table, or --prefetch-list; a directory stands for every file below it), "
                    + "ALL (those first, then every file). Needs --cache-dir. Default ${DEFAULT-VALUE}.")
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
        if (viaNode) {
            return mountViaNode();
        }
        if ((prefetch != PrefetchMode.NONE || prefetchList != null) && cacheDir == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prefetch needs --cache-dir (prefetched chunks are kept there)");
        }
        if (amplifyIo <= 0 || amplifyIo > Integer.MAX_VALUE) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--amplify-io must be more than 0 and below 2GiB");
        }
        // Main starts it as the verb is named; this covers a caller that runs the command itself
        MountWarmUp.start(source);
        MountSpec.Builder builder;
        if (Files.isRegularFile(Path.of(source))) {
            if (blobDir == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--blob-dir is required to mount a local bootstrap");
            }
            builder = MountSpec.ofBootstrap(Path.of(source), blobDir, mountpoint);
        } else {
            ImageReference ref = imageReference();
            RegistryClient client = registryOptions.client(source, Optional.of(ref), credentials, "--creds");
            builder = MountSpec.ofImage(ref, client, mountpoint).withBlobDir(blobDir).withWorkDir(workDir)
                    .withNodeSource(this::nodeSource);
        }
        builder.withAmplifyIo((int) amplifyIo).withAllowOther(allowOther).withTransport(fuseTransport).withAccessTrace(accessTrace)
                .withPrefetch(prefetch, readPrefetchList(), prefetchBandwidth);
        if (cacheDir != null) {
            builder.withCache(cacheDir, cacheSize);
        }
        HttpEndpoints metricsHttp = null;
        AtomicReference<MountSession> mounted = new AtomicReference<>();
        if (metricsListen != null) {
            InetSocketAddress address = metricsAddress();
            NodeMetrics metrics = NodeMetrics.create(VersionProvider.version(), mountpoint);
            builder.withMeterRegistry(metrics.registry());
            metricsHttp = HttpEndpoints.start("mount-metrics", address, 1, Map.of("/", new MetricsHandler(metrics)));
            metricsHttp.addHandler("/access-trace", new AccessTraceHandler(() -> {
                MountSession s = mounted.get();
                return s == null ? List.of() : s.accessTrace();
            }));
        }
        try {
            MountSpec mountSpec;
            try {
                mountSpec = builder.build();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            try (MountSession session = MountSession.start(mountSpec)) {
                mounted.set(session);
                environment.out().println("mounted " + session.source() + " on " + session.mountpoint());
                environment.out().flush();
                session.awaitUnmount();
            }
        } finally {
            if (metricsHttp != null) {
                metricsHttp.close();
            }
        }
        return 0;
    }

    /** How long a mount waits for a node named with an explicit {@code --node} to answer (10 s). */
    private static final Duration EXPLICIT_NODE_WAIT = Duration.ofSeconds(10);
    /** How long it probes the default node address (500 ms): usually no node runs there. */
    private static final Duration DEFAULT_NODE_PROBE = Duration.ofMillis(500);

    /**
     * The node's store and peers as the first remote source, when a node answers at --node (and not --no-node). A node
     * named explicitly is waited for (it may be starting, or busy on a loaded machine) and its absence is reported;
     * the default address is probed once, briefly, and silently skipped.
     */
    private Optional<BlobSource> nodeSource(ImageReference ref) {
        if (noNode) {
            return Optional.empty();
        }
        boolean explicit = spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--node");
        if (!explicit) {
            if (!PeerBlobSource.reachable(node, DEFAULT_NODE_PROBE)) {
                return Optional.empty();
            }
        } else if (!awaitNode()) {
            environment.err().println("no node answered at " + node + " within " + EXPLICIT_NODE_WAIT.toSeconds()
                    + " s: reading chunks from the registry only");
            return Optional.empty();
        }
        environment.err().println("reading chunks through the node at " + node + ", then the registry");
        return Optional.of(new PeerBlobSource(node, ref, Duration.ofMinutes(6)));
    }

    private boolean awaitNode() {
        long deadline = System.nanoTime() + EXPLICIT_NODE_WAIT.toNanos();
        while (true) {
            if (PeerBlobSource.reachable(node, Duration.ofSeconds(2))) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private ImageReference imageReference() {
        return ImageLocationArgument.validate(spec.commandLine(), "IMAGE", source)
                .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "IMAGE must be a registry reference"));
    }

    private List<String> readPrefetchList() throws java.io.IOException {
        return prefetchList == null ? List.of()
                : Files.readAllLines(prefetchList).stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    private InetSocketAddress metricsAddress() {
        int colon = metricsListen.lastIndexOf(':');
        if (colon <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--metrics-listen must be HOST:PORT");
        }
        try {
            return new InetSocketAddress(metricsListen.substring(0, colon), Integer.parseInt(metricsListen.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--metrics-listen must be HOST:PORT");
        }
    }

    /** {@code --via-node}: the node mounts; this process only asks and reports. */
    private int mountViaNode() throws Exception {
        for (String option : List.of("--no-node", "--metrics-listen", "--work-dir", "--access-trace", "--authfile")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " does not apply with --via-node"
                        + " (the node mounts: its own metrics endpoint and Docker config are used)");
            }
        }
        if ((prefetch != PrefetchMode.NONE || prefetchList != null) && cacheDir == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prefetch needs --cache-dir (prefetched chunks are kept there)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (Files.isRegularFile(Path.of(source))) {
            if (blobDir == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--blob-dir is required to mount a local bootstrap");
            }
            body.put("bootstrap", absolute(Path.of(source)));
        } else {
            body.put("image", imageReference().toString());
        }
        body.put("mountpoint", absolute(mountpoint));
        if (blobDir != null) {
            body.put("blobDir", absolute(blobDir));
        }
        if (cacheDir != null) {
            body.put("cacheDir", absolute(cacheDir));
            body.put("cacheSize", cacheSize);
        }
        body.put("amplifyIo", amplifyIo);
        body.put("allowOther", allowOther);
        body.put("prefetch", prefetch.name());
        List<String> listed = readPrefetchList();
        if (!listed.isEmpty()) {
            body.put("prefetchList", listed);
        }
        body.put("prefetchBandwidth", prefetchBandwidth);
        if (credentials != null) {
            body.put("creds", credentials.username() + ":" + credentials.secret());
        }
        @SuppressWarnings("unchecked")
        List<String> plainHttp = (List<String>) spec.findOption("--plain-http").getValue();
        if (plainHttp != null && !plainHttp.isEmpty()) {
            body.put("plainHttp", plainHttp);
        }
        Path caFile = spec.findOption("--ca-file").getValue();
        if (caFile != null) {
            body.put("caFile", absolute(caFile));
        }
        body.put("retries", (Integer) spec.findOption("--retries").getValue());
        body.put("fuse", fuseTransport.name());
        NodeMountClient client = new NodeMountClient(node);
        NodeMountClient.Answer answer = client.mount(body);
        if (answer.status() != 201) {
            environment.err().println("damselfly: the node at " + node + " did not mount " + source + " (" + answer.status()
                    + "): " + answer.reason());
            return 1;
        }
        environment.out().println("mounted " + source + " on " + answer.field("mountpoint") + " by the node at " + node);
        environment.out().flush();
        return 0;
    }

    private static String absolute(Path path) {
        return path.toAbsolutePath().normalize().toString();
    }
}
