package dev.damselfly.peer.node.mounts;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.InvalidReferenceException;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.auth.CredentialProvider;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.oci.auth.DockerConfigCredentials;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.peer.cli.VersionProvider;
import dev.damselfly.peer.mount.MountSession;
import dev.damselfly.peer.mount.MountSpec;
import dev.damselfly.peer.mount.MountStats;
import dev.damselfly.peer.mount.NotANydusImageException;
import dev.damselfly.rafs.codec.ChunkCodecWarmUp;
import dev.damselfly.rafsmount.RafsMount;
import dev.damselfly.rafsmount.MountException;
import dev.damselfly.rafsmount.source.BlobSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mounts one node owns, by mount point. {@link #mount} returns once the mount is live (or fails leaving nothing
 * mounted), {@link #unmount} ends one, {@link #close()} (node shutdown) ends them all. Each mount's fetched
 * bootstrap is kept under {@code {dataDir}/mounts/<id>/} and removed when it ends. Thread-safe: a mount point is
 * reserved before its (slow) mount starts, so two requests for it cannot both proceed.
 */
public final class NodeMounts implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeMounts.class);
    /** Longest a shutdown waits for the start-up warm-up to finish writing its scratch directory, ms: 30,000. */
    private static final long WARM_UP_WAIT_MILLIS = 30_000;
    /** How often a deferred warm-up looks again whether it may go on, ms: 500. */
    static final long WARM_UP_QUIET_POLL_MILLIS = 500;

    private final Path workRoot;
    private final Function<ImageReference, BlobSource> nodeSource;
    private final MeterRegistry meterRegistry;
    /** Whether the node's schedulers know other hosts: decides {@link NodeReads#AUTO}. */
    private final BooleanSupplier otherHosts;
    private final Thread warmUp;
    /** Counted down by {@link #close()}: a warm-up still waiting for quiet gives up at once. */
    private final CountDownLatch closing = new CountDownLatch(1);
    /** Set when the warm-up starts its work (after any wait for quiet). */
    private volatile boolean warmUpStarted;
    /** Set when the warm-up has done every step. */
    private volatile boolean warmUpDone;
    private final Map<Path, Entry> mounts = new LinkedHashMap<>();
    private boolean closed;

    /** A reserved mount point: its session is null while the mount is starting. */
    private static final class Entry {
        final String id;
        volatile MountSession session;

        Entry(String id) {
            this.id = id;
        }
    }

    /**
     * @param workRoot where fetched bootstraps are kept, one directory per mount ({@code {dataDir}/mounts})
     * @param nodeSource the node's in-process source for an image's blobs (store, peers, registry)
     * @param meterRegistry the node's registry: every mount's {@code damselfly_mount_*} meters go there too
     * @param otherHosts whether the node's schedulers know hosts other than this one, asked when a mount of an image
     *                   starts without a {@code nodeReads} of its own ({@link NodeReads#AUTO})
     * @param hold whether the start-up warm-up should wait, asked before each of its steps and then every
     *             {@value #WARM_UP_QUIET_POLL_MILLIS} ms until false (the node downloads, the machine's CPUs are busy)
     */
    public NodeMounts(Path workRoot, Function<ImageReference, BlobSource> nodeSource, MeterRegistry meterRegistry,
            BooleanSupplier otherHosts, BooleanSupplier hold) {
        this.workRoot = workRoot;
        this.nodeSource = nodeSource;
        this.meterRegistry = meterRegistry;
        this.otherHosts = otherHosts;
        Path warmUpScratch = workRoot.resolveSibling("mount-warm-up"); // beside the mounts' work dirs, not among them
        warmUp = new Thread(() -> warmUpWhenQuiet(hold, warmUpScratch), "mount-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    /**
     * Loads and links, once at node start, what the first mount would otherwise load while a container waits: libfuse's
     * binding and the FUSE callbacks ({@link RafsMount#warmUp()}), the mount API's JSON, the chunk codecs with BLAKE3
     * compiled ({@link ChunkCodecWarmUp}: about 300 ms off the first chunk read), a rehearsal of a new mount's
     * requests over a generated tree ({@link RafsMount#warmUpRequests}, in {@code scratch}: the walk and the reads
     * of a node's first mounts then run compiled, a 3000-file walk in 0.045 instead of 0.065 s and a tar of it in 0.70
     * instead of 0.80 s), and the registry side of a mount against a loopback registry of its own
     * ({@link RegistryPathWarmUp}, in {@code scratch}). Logs one line; a failure only means the first mount pays for it.
     *
     * <p>Each of those steps starts only once {@code hold} says so (the node has no download under way and the
     * machine's CPUs are not busy): together they cost a node about 3 CPU-seconds (0.6 without the rehearsal; the
     * S1 swarm benchmark's nodes use about 100 each, see BENCHMARKS.md), which a node started into a wave of pulls (a
     * DaemonSet rolled out while images are pulled, a node restarted under a pull) would take from its transfers, or
     * from containerd unpacking them, on a small machine; a mount requested meanwhile loads what it needs itself. A {@link #close()} while
     * waiting skips the rest.
     */
    private void warmUpWhenQuiet(BooleanSupplier hold, Path scratch) {
        long t0 = System.nanoTime();
        long[] waited = {0};
        try {
            if (!quiet(hold, waited)) {
                return;
            }
            warmUpStarted = true;
            RafsMount.warmUp();
            if (!quiet(hold, waited)) {
                return;
            }
            int digests = ChunkCodecWarmUp.warmUp();
            if (!quiet(hold, waited)) {
                return;
            }
            long requests = RafsMount.warmUpRequests(scratch);
            if (!quiet(hold, waited)) {
                return;
            }
            MountsHandler.warmUp();
            if (!quiet(hold, waited)) {
                return;
            }
            long registryBytes = RegistryPathWarmUp.run(scratch);
            warmUpDone = true;
            LOG.info("mount warm-up done took_ms={} waited_ms={} blake3_digests={} fuse_requests={} registry_path_bytes={}",
                    (System.nanoTime() - t0) / 1_000_000 - waited[0], waited[0], digests, requests, registryBytes);
        } catch (IOException | MountRequestException | RuntimeException | LinkageError e) {
            LOG.info("mount warm-up skipped took_ms={} reason={}", (System.nanoTime() - t0) / 1_000_000, e.toString());
        }
    }

    /**
     * Waits while {@code hold} says so; adds the wait to {@code waited[0]} (ms). False when the node is stopping (then the
     * rest of the warm-up is skipped, logged once).
     */
    private boolean quiet(BooleanSupplier hold, long[] waited) {
        long t0 = System.nanoTime();
        try {
            while (closing.getCount() > 0 && hold.getAsBoolean()) {
                closing.await(WARM_UP_QUIET_POLL_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        waited[0] += (System.nanoTime() - t0) / 1_000_000;
        if (closing.getCount() == 0 || Thread.currentThread().isInterrupted()) {
            LOG.info("mount warm-up skipped reason=node stopping waited_ms={}", waited[0]);
            return false;
        }
        return true;
    }

    /** Whether the start-up warm-up has begun its work (tests). */
    boolean warmUpStarted() {
        return warmUpStarted;
    }

    /** Whether the start-up warm-up has done all of its steps (tests). */
    boolean warmUpDone() {
        return warmUpDone;
    }

    /** Mounts what {@code request} names and returns once the mount is live. */
    public MountView mount(MountRequest request) throws MountRequestException {
        Path mountpoint = request.mountpointPath();
        String id = idOf(mountpoint);
        Entry entry = new Entry(id);
        synchronized (this) {
            if (closed) {
                throw new MountRequestException(503, "the node is stopping");
            }
            Entry existing = mounts.get(mountpoint);
            if (existing != null && existing.session != null && !existing.session.isMounted()) {
                mounts.remove(mountpoint); // unmounted from outside: forget it, then mount again
                release(mountpoint, existing);
            } else if (existing != null) {
                throw new MountRequestException(409, mountpoint + " is already "
                        + (existing.session == null ? "being mounted" : "mounted") + " by this node");
            }
            mounts.put(mountpoint, entry);
        }
        MountSession session;
        NodeReads reads;
        try {
            reads = request.image() == null ? null : decide(request.nodeReadsMode());
            session = MountSession.start(spec(request, mountpoint, id, reads));
        } catch (MountRequestException e) {
            forget(mountpoint, entry);
            LOG.warn("mount refused mountpoint={} status={} reason={}", mountpoint, e.status(), e.getMessage());
            throw e;
        } catch (IOException | RuntimeException e) {
            forget(mountpoint, entry);
            MountRequestException refused = classify(request, mountpoint, e);
            LOG.warn("mount failed mountpoint={} image={} status={} reason={}", mountpoint, describe(request),
                    refused.status(), refused.getMessage());
            throw refused;
        }
        synchronized (this) {
            if (!closed) {
                entry.session = session;
                LOG.info("node mount live id={} mountpoint={} image={} node_reads={}", id, mountpoint, describe(request),
                        reads == null ? "-" : reads);
                return view(entry, session, "mounted");
            }
        }
        forget(mountpoint, entry);
        closeQuietly(session);
        throw new MountRequestException(503, "the node is stopping");
    }

    /** Unmounts the node's mount at {@code mountpoint}; empty when the node owns no mount there. */
    public Optional<MountView> unmount(Path mountpoint) throws MountRequestException {
        Path mp = mountpoint.toAbsolutePath().normalize();
        Entry entry;
        synchronized (this) {
            entry = mounts.get(mp);
            if (entry == null) {
                return Optional.empty();
            }
            if (entry.session == null) {
                throw new MountRequestException(409, mp + " is still being mounted");
            }
            mounts.remove(mp);
        }
        MountSession session = entry.session;
        try {
            session.close();
        } catch (IOException e) {
            throw new MountRequestException(500, "unmounting " + mp + " failed: " + e.getMessage(), e);
        } finally {
            removeWorkDir(entry.id);
        }
        LOG.info("node mount ended id={} mountpoint={}", entry.id, mp);
        return Optional.of(view(entry, session, "unmounted"));
    }

    /** Every mount the node owns (or is starting), in the order they were asked for. */
    public List<MountView> list() {
        List<MountView> out = new ArrayList<>();
        synchronized (this) {
            for (Entry e : mounts.values()) {
                MountSession s = e.session;
                if (s != null) {
                    out.add(view(e, s, s.isMounted() ? "mounted" : "ended"));
                }
            }
        }
        return out;
    }

    /**
     * Unmounts every mount (node shutdown); later requests are refused with 503. Waits for a start-up warm-up still
     * under way, so nothing writes into the data directory once the node is closed.
     */
    @Override
    public void close() {
        List<Map.Entry<Path, Entry>> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(mounts.entrySet());
            mounts.clear();
        }
        closing.countDown();
        for (Map.Entry<Path, Entry> e : all) {
            release(e.getKey(), e.getValue());
        }
        try {
            warmUp.join(WARM_UP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void release(Path mountpoint, Entry entry) {
        if (entry.session != null) {
            closeQuietly(entry.session);
            LOG.info("node mount ended id={} mountpoint={}", entry.id, mountpoint);
        }
        removeWorkDir(entry.id);
    }

    private synchronized void forgetLocked(Path mountpoint, Entry entry) {
        mounts.remove(mountpoint, entry);
    }

    private void forget(Path mountpoint, Entry entry) {
        forgetLocked(mountpoint, entry);
        removeWorkDir(entry.id);
    }

    /** The way a mount of an image reads through the node: {@link NodeReads#AUTO} decided now, else as asked. */
    private NodeReads decide(NodeReads asked) {
        if (asked != NodeReads.AUTO) {
            return asked;
        }
        return otherHosts.getAsBoolean() ? NodeReads.PIECES : NodeReads.RANGES_WHEN_COLD;
    }

    /** @param reads how an image's chunks are read through the node ({@code null} for a local bootstrap) */
    private MountSpec spec(MountRequest request, Path mountpoint, String id, NodeReads reads) throws MountRequestException {
        Path blobDir = MountRequest.safePath("blobDir", request.blobDir());
        Path cacheDir = MountRequest.safePath("cacheDir", request.cacheDir());
        MountSpec.Builder b;
        RegistryClient client = null;
        if (request.image() != null) {
            ImageReference ref;
            try {
                ref = ImageReference.parse(request.image());
            } catch (InvalidReferenceException e) {
                throw new MountRequestException(400, "\"image\" is not an image reference: " + e.getMessage());
            }
            client = client(request, ref);
            b = MountSpec.ofImage(ref, client, mountpoint).withBlobDir(blobDir).withWorkDir(workRoot.resolve(id))
                    .withNodeSource(r -> Optional.of(nodeSource(r, reads)));
        } else {
            b = MountSpec.ofBootstrap(MountRequest.safePath("bootstrap", request.bootstrap()), blobDir, mountpoint);
        }
        try {
            if (cacheDir == null && reads == NodeReads.RANGES_WHEN_COLD) {
                // registry ranges are not kept by the node: without a cache every re-read would fetch them again
                cacheDir = workRoot.resolve(id).resolve("cache");
            }
            if (cacheDir != null) {
                b.withCache(cacheDir, request.cacheSize() == null ? MountSpec.DEFAULT_CACHE_MAX_BYTES : request.cacheSize());
            }
            if (request.amplifyIo() != null) {
                b.withAmplifyIo(Math.toIntExact(request.amplifyIo()));
            }
            return b.withAllowOther(Boolean.TRUE.equals(request.allowOther())).withTransport(request.fuseTransport())
                    .withPrefetch(request.prefetchMode(), request.prefetchList() == null ? List.of() : request.prefetchList(),
                            request.prefetchBandwidth() == null ? 0 : request.prefetchBandwidth())
                    .withMeterRegistry(meterRegistry)
                    .build();
        } catch (IllegalArgumentException | ArithmeticException | MountRequestException e) {
            if (client != null) {
                client.close();
            }
            throw e instanceof MountRequestException m ? m : new MountRequestException(400, e.getMessage());
        }
    }

    /** The node's source for an image, reading cold ranges from the registry when the request asked so. */
    private BlobSource nodeSource(ImageReference ref, NodeReads reads) {
        BlobSource source = nodeSource.apply(ref);
        return reads == NodeReads.RANGES_WHEN_COLD && source instanceof EngineBlobSource engine
                ? new ColdRangeBlobSource(engine) : source;
    }

    /** A registry client for one mount: the request's credentials for its registry, else the node's Docker config. */
    private static RegistryClient client(MountRequest request, ImageReference ref) throws MountRequestException {
        CredentialProvider fromFile = DockerConfigCredentials.load(DockerConfigCredentials.defaultLocation());
        CredentialProvider credentials = fromFile;
        if (request.creds() != null) {
            Credentials explicit = Credentials.parseUserColonPassword(request.creds());
            credentials = CredentialProvider.of(ref.registry(), explicit).orElse(fromFile);
        }
        Set<String> plain = new LinkedHashSet<>(request.plainHttp() == null ? List.of() : request.plainHttp());
        for (String host : plain) {
            if (host.isBlank() || host.contains("/")) {
                throw new MountRequestException(400, "\"plainHttp\" takes host[:port] as in image references, got \"" + host + "\"");
            }
        }
        Path ca = MountRequest.safePath("caFile", request.caFile());
        if (ca != null && !Files.isReadable(ca)) {
            throw new MountRequestException(400, "\"caFile\" " + ca + " is not a readable file");
        }
        return RegistryClient.create(RegistryClientConfig.builder()
                .maxRetries(request.retries() == null ? 3 : request.retries())
                .plainHttpRegistries(Set.copyOf(plain))
                .extraCaFile(ca)
                .credentials(credentials)
                .userAgent("damselfly/" + VersionProvider.version())
                .build());
    }

    /** The status and sentence for a mount that did not start. */
    private static MountRequestException classify(MountRequest request, Path mountpoint, Exception e) {
        if (e instanceof MountException m) {
            int status = switch (m.reason()) {
                case MOUNTPOINT_NOT_DIRECTORY, BOOTSTRAP_UNREADABLE -> 400;
                case MOUNTPOINT_NOT_EMPTY, MOUNTPOINT_BUSY, CACHE_UNAVAILABLE -> 409;
                case NOT_A_BOOTSTRAP -> 422;
                case NO_FUSE_DEVICE, FUSE_FAILED -> 500;
            };
            return new MountRequestException(status, m.reason() + ": " + m.getMessage(), e);
        }
        if (e instanceof NotANydusImageException) {
            return new MountRequestException(422, e.getMessage(), e);
        }
        if (e instanceof RegistryException.NotFoundException) {
            return new MountRequestException(404, describe(request) + " not found in its registry: " + e.getMessage(), e);
        }
        if (e instanceof RegistryException.UnauthorizedException || e instanceof RegistryException.ForbiddenException) {
            return new MountRequestException(403, "the registry refused " + describe(request) + ": " + e.getMessage(), e);
        }
        if (e instanceof IllegalArgumentException) {
            return new MountRequestException(400, e.getMessage(), e);
        }
        if (e instanceof IOException) {
            return new MountRequestException(502, "cannot mount " + describe(request) + " at " + mountpoint + ": "
                    + e.getMessage(), e);
        }
        return new MountRequestException(500, "cannot mount " + describe(request) + " at " + mountpoint + ": " + e, e);
    }

    private static String describe(MountRequest request) {
        return request.image() != null ? request.image() : request.bootstrap();
    }

    private static MountView view(Entry entry, MountSession session, String status) {
        MountStats s = session.stats();
        return new MountView(entry.id, session.mountpoint().toString(), session.spec().describeSource(), status,
                session.mountedAt().toString(), session.sources().stream().map(BlobSource::name).toList(), s.bytesRead(),
                s.cacheHits(), s.cacheMisses(), s.fetchedBytes(), s.verificationFailures(), session.transport().name(),
                session.ringRequests());
    }

    /** 16 hex digits of the SHA-256 of the mount point. */
    static String idOf(Path mountpoint) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(mountpoint.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private void removeWorkDir(String id) {
        Path dir = workRoot.resolve(id);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove mount work directory {}: {}", dir, e.toString());
        }
    }

    private static void closeQuietly(MountSession session) {
        try {
            session.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("unmounting {} failed: {}", session.mountpoint(), e.toString());
        }
    }
}
