package dev.damselfly.peer.node;

import dev.damselfly.exchange.engine.DownloadEngine;
import dev.damselfly.exchange.engine.EngineConfig;
import dev.damselfly.exchange.upload.SyncHostClient;
import dev.damselfly.exchange.upload.SyncPiecesClient;
import dev.damselfly.exchange.upload.UploadConfig;
import dev.damselfly.exchange.upload.UploadServer;
import dev.damselfly.exchange.vortex.UploadFaults;
import dev.damselfly.exchange.vortex.VortexPieceClient;
import dev.damselfly.peer.cli.VersionProvider;
import dev.damselfly.peer.node.config.NodeConfig;
import dev.damselfly.peer.node.http.AdminHandler;
import dev.damselfly.peer.node.http.BlobRangeHandler;
import dev.damselfly.peer.node.http.DownloadHandler;
import dev.damselfly.peer.node.http.HealthHandler;
import dev.damselfly.peer.node.http.HttpEndpoints;
import dev.damselfly.peer.node.http.MetricsHandler;
import dev.damselfly.peer.node.metrics.NodeMetrics;
import dev.damselfly.peer.node.mounts.EngineBlobSource;
import dev.damselfly.peer.node.mounts.MountsHandler;
import dev.damselfly.peer.node.mounts.NodeMounts;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import dev.damselfly.piecestore.ReadVerification;
import dev.damselfly.proxy.ProxyServer;
import dev.damselfly.scheduler.client.SchedulerClient;
import dev.damselfly.scheduler.client.SchedulerClientConfig;
import dev.damselfly.scheduler.client.host.HostFactsCollector;
import dev.damselfly.scheduler.client.host.HostIdentity;
import dev.damselfly.scheduler.server.SchedulerConfig;
import dev.damselfly.scheduler.server.SchedulerServer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: starts every part in dependency order and stops them in reverse. Order: metrics → piece
 * store → upload servers (their ports go into the host announcement) → embedded scheduler (when none is
 * configured) → scheduler client (AnnounceHost) → download engine → registry proxy → HTTP endpoints. Closing
 * says NOT_SERVING on health first, lets uploads finish (bounded), sends DeleteHost, then closes the store.
 */
public final class NodeDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeDaemon.class);

    private final NodeConfig config;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Instant startedAt = Instant.now();
    private volatile boolean serving;
    private NodeMetrics metrics;
    private PieceStore store;
    private UploadServer upload;
    private SchedulerServer embeddedScheduler;
    private SchedulerClient scheduler;
    private DownloadEngine engine;
    private ProxyServer proxy;
    private HostIdentity identity;
    /** Bytes the start-up fetch through the mirror path got; 0 when off or failed. */
    private long mirrorWarmUpBytes;
    private final Map<String, Integer> ports = new LinkedHashMap<>();

    private NodeDaemon(NodeConfig config) {
        this.config = config;
    }

    /**
     * Starts a node. On failure everything already started is stopped again and the cause is thrown.
     *
     * @throws UncheckedIOException when a port cannot be bound or the data directory cannot be used
     */
    public static NodeDaemon start(NodeConfig config) {
        NodeDaemon node = new NodeDaemon(config);
        try {
            node.startAll();
            return node;
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
    }

    private void startAll() {
        try {
            Files.createDirectories(config.dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + config.dataDir + ": " + e.getMessage(), e);
        }
        String version = VersionProvider.version();
        metrics = NodeMetrics.create(version, config.dataDir);
        String ip = config.host.ip.isEmpty() ? NodeAddresses.defaultIp() : config.host.ip;
        String hostname = config.host.hostname.isEmpty() ? NodeAddresses.defaultHostname() : config.host.hostname;

        store = PieceStore.open(config.dataDir.resolve("pieces"), storeConfig(), metrics.registry());
        started.push(store);

        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
        started.push(() -> loops.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly());

        String hostId = dev.damselfly.scheduler.client.id.HostIds.hostId(ip, hostname, config.host.seed);
        UploadConfig uploadConfig = UploadConfig.defaults(hostId, ip)
                .withBindAddress(config.upload.listen)
                .withPorts(config.upload.grpcPort, config.upload.vortexPort)
                .withUploadRateLimit(config.upload.rateLimit)
                .withMaxConcurrentUploads(config.upload.maxConcurrent)
                .withRepeatHold(config.upload.repeatHold)
                .withBandwidth(config.host.uploadBandwidth, config.host.uploadBandwidth)
                .withFaults(config.upload.testCorruptRatio > 0 ? UploadFaults.corrupting(config.upload.testCorruptRatio) : UploadFaults.NONE);
        VortexPieceClient vortexClient = new VortexPieceClient(loops);
        started.push(vortexClient);
        upload = UploadServer.builder(uploadConfig, store)
                .meterRegistry(metrics.registry())
                .eventLoopGroup(loops)
                .receivedBytes(vortexClient::bytesReceived)
                .start();
        started.push(upload);
        ports.put("grpc", upload.grpcPort());
        ports.put("vortex", upload.vortexPort());
        if (config.upload.testCorruptRatio > 0) {
            LOG.warn("TEST FAULT SWITCH ON: corrupting {}% of uploaded pieces host_id={}",
                    Math.round(config.upload.testCorruptRatio * 100), hostId);
        }

        List<String> schedulers = config.scheduler.addresses;
        if (schedulers.isEmpty()) {
            InetSocketAddress listen = hostPort(config.scheduler.embeddedListen, "scheduler.embeddedListen");
            embeddedScheduler = new SchedulerServer(SchedulerConfig.defaults()
                    .withParentGraph(config.scheduler.embeddedParentGraph)
                    .withSourceStripes(config.scheduler.embeddedSourceStripes)).start(listen);
            started.push(embeddedScheduler);
            ports.put("scheduler", embeddedScheduler.port());
            schedulers = List.of(embeddedScheduler.inProcessAddress()); // no socket between the node and it
        }
        identity = new HostIdentity(ip, hostname, config.host.seed, upload.grpcPort(),
                config.proxy.enabled ? config.proxy.port : 0, config.host.uploadBandwidth, config.host.uploadBandwidth,
                optional(config.host.location), optional(config.host.idc), 1, false, config.dataDir,
                podName(), version);
        SchedulerClientConfig schedulerConfig = SchedulerClientConfig.defaults(schedulers)
                .withAnnounceInterval(config.scheduler.announceInterval)
                .withScheduleTimeout(config.scheduler.scheduleTimeout);
        scheduler = SchedulerClient.start(schedulerConfig,
                new HostFactsCollector(identity, () -> OptionalLong.of(config.host.uploadBandwidth)));
        started.push(scheduler);

        SyncPiecesClient syncPieces = new SyncPiecesClient(config.download.pieceTimeout, loops);
        started.push(syncPieces);
        // parents' free upload bandwidth (SyncHost) weighs the parent choice; shares SyncPieces' channels, closes first
        SyncHostClient syncHost = new SyncHostClient(syncPieces);
        started.push(syncHost);
        EngineConfig engineConfig = EngineConfig.defaults()
                .withConcurrency(config.download.concurrentPieceCount, config.download.backToSource.concurrency)
                .withRateLimits(config.download.rateLimit, config.download.backToSource.rateLimit)
                .withBackToSourceEnabled(config.download.backToSource.enabled)
                .withOriginAhead(config.download.backToSource.aheadOfReaders);
        engine = new DownloadEngine(engineConfig, store, Optional.of(scheduler), identity, syncPieces, vortexClient,
                upload.notifications(), syncHost, metrics.registry());
        started.push(engine);

        OriginFactory origins = new OriginFactory();
        started.push(origins);
        if (config.proxy.enabled && config.proxy.warmUp > 0) {
            warmUpMirrorPath(engineConfig, syncPieces, vortexClient, syncHost, origins);
        }
        if (config.proxy.enabled) {
            proxy = NodeProxy.start(config, engine, store, origins, metrics.registry());
            started.push(proxy);
            ports.put("proxy", proxy.address().getPort());
        }

        HttpEndpoints metricsHttp = HttpEndpoints.start("metrics", hostPort(config.metrics), 2,
                Map.of("/", new MetricsHandler(metrics)));
        started.push(metricsHttp);
        ports.put("metrics", metricsHttp.port());
        HttpEndpoints healthHttp = HttpEndpoints.start("health", hostPort(config.health), 2,
                Map.of("/", new HealthHandler(() -> serving)));
        started.push(healthHttp);
        ports.put("health", healthHttp.port());
        NodeStatus status = new NodeStatus(this);
        RegistryBlobTasks blobTasks = new RegistryBlobTasks(config);
        started.push(blobTasks);
        NodeMounts mounts = new NodeMounts(config.dataDir.resolve("mounts"), ref -> new EngineBlobSource(engine, store,
                blobTasks, ref, config.download.pieceTimeout), metrics.registry(),
                () -> scheduler.otherHostCount().orElse(0) > 0, StartUpHold.of(() -> !engine.activeTasks().isEmpty()));
        started.push(mounts); // closed after the admin listener, before the engine and the store: unmounts them all
        HttpEndpoints adminHttp = HttpEndpoints.start("admin", hostPort(config.admin), 8, Map.of(
                "/api/v1/mounts", new MountsHandler(mounts),
                "/api/v1/download", new DownloadHandler(engine, origins, store),
                "/api/v1/blobs", new BlobRangeHandler(engine, store, blobTasks, config.download.pieceTimeout.toMillis()),
                "/", new AdminHandler(status::status, status::tasks, status::peers)));
        started.push(adminHttp);
        ports.put("admin", adminHttp.port());
        serving = true;
        LOG.info("node started host_id={} ip={} ports={} schedulers={} data_dir={}", identity.hostId(), ip, ports,
                schedulers, config.dataDir);
    }

    /**
     * Fetches {@code proxy.warmUp} bytes of a blob of its own through a copy of the mirror path ({@link MirrorPathWarmUp});
     * logs one line. A failure is logged and the node starts anyway: only its first pull pays for it.
     */
    private void warmUpMirrorPath(EngineConfig engineConfig, SyncPiecesClient syncPieces, VortexPieceClient vortexClient,
                                  SyncHostClient syncHost, OriginFactory origins) {
        long t0 = System.nanoTime();
        try {
            mirrorWarmUpBytes = MirrorPathWarmUp.run(config.dataDir.resolve("mirror-warm-up"), config.proxy.warmUp, storeConfig(),
                    scratch -> new DownloadEngine(engineConfig, scratch, Optional.empty(), identity, syncPieces,
                            vortexClient, (taskId, number) -> { }, syncHost, new CompositeMeterRegistry()),
                    NodeProxy.configure(config),
                    (warmEngine, scratch) -> new EngineBlobFetcher(warmEngine, scratch, origins,
                            config.download.pieceTimeout.toMillis()),
                    config.download.pieceTimeout);
            LOG.info("mirror warm-up done took_ms={} bytes={}", (System.nanoTime() - t0) / 1_000_000, mirrorWarmUpBytes);
        } catch (IOException | RuntimeException e) {
            LOG.warn("mirror warm-up failed took_ms={} reason={}", (System.nanoTime() - t0) / 1_000_000, e.toString());
        }
    }

    private PieceStoreConfig storeConfig() {
        long budget = config.storage.capacity;
        if (budget == 0) {
            budget = (long) (config.dataDir.toFile().getTotalSpace() * 0.9);
        }
        PieceStoreConfig.Builder b = PieceStoreConfig.builder()
                .diskBudgetBytes(budget)
                .watermarks(config.storage.highWatermark, config.storage.lowWatermark)
                .syncMetadata(config.storage.syncMetadata)
                .directIo(config.storage.directIo)
                .recentPiecesBytes(config.storage.recentPieces)
                .readVerification(config.storage.verifyEveryRead ? ReadVerification.EVERY_READ : ReadVerification.AFTER_UNCLEAN_STOP);
        if (!config.storage.taskTtl.isZero()) {
            b.taskTtl(config.storage.taskTtl);
        }
        return b.build();
    }

    private static Optional<String> optional(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static String podName() {
        String ns = System.getenv("POD_NAMESPACE");
        String pod = System.getenv("POD_NAME");
        return ns != null && pod != null ? ns + "-" + pod : "";
    }

    private static InetSocketAddress hostPort(NodeConfig.Endpoint endpoint) {
        return new InetSocketAddress(endpoint.listen, endpoint.port);
    }

    private static InetSocketAddress hostPort(String text, String key) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(key + " '" + text + "' is not host:port");
        }
        return new InetSocketAddress(text.substring(0, colon).replace("[", "").replace("]", ""),
                Integer.parseInt(text.substring(colon + 1)));
    }

    /** The ports actually bound, by name: grpc, vortex, scheduler (embedded only), proxy, metrics, health, admin. */
    public Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    public NodeConfig config() {
        return config;
    }

    public HostIdentity identity() {
        return identity;
    }

    public PieceStore store() {
        return store;
    }

    public DownloadEngine engine() {
        return engine;
    }

    /** Bytes of the start-up fetch through the mirror path ({@code proxy.warmUp}); 0 when off or failed. */
    public long mirrorWarmUpBytes() {
        return mirrorWarmUpBytes;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** The scheduler addresses in use (the embedded one's loopback address when none is configured). */
    public List<String> schedulerAddresses() {
        return scheduler == null ? List.of() : scheduler.config().addresses();
    }

    public boolean embeddedScheduler() {
        return embeddedScheduler != null;
    }

    /** Stops everything in reverse start order; each part's failure is logged and the rest still stop. */
    @Override
    public synchronized void close() {
        serving = false;
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
        if (identity != null) {
            LOG.info("node stopped host_id={}", identity.hostId());
        }
    }
}
