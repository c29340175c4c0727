package dev.damselfly.exchange.upload;

import dev.damselfly.exchange.TokenBucket;
import dev.damselfly.exchange.vortex.VortexPieceServer;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DfdaemonUploadGrpc;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node serves to its children: the DfdaemonUpload gRPC service with {@code grpc.health.v1} (SERVING for
 * {@code ""} and {@value #SERVICE_NAME}) on the gRPC port, and the Vortex piece server on the Vortex port, both
 * bound to {@link UploadConfig#bindAddress()}. Build with {@link #builder(UploadConfig, PieceStore)}; {@link #close()}
 * stops both (in-flight calls get up to 2 s, then are cancelled).
 */
public final class UploadServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UploadServer.class);
    /** The gRPC service name reported by the health service. */
    public static final String SERVICE_NAME = DfdaemonUploadGrpc.SERVICE_NAME;

    private final UploadConfig config;
    private final PieceNotifications notifications;
    private final VortexPieceServer vortex;
    private final Server grpc;
    private final HealthStatusManager health;
    private final ScheduledExecutorService timer;
    private final int grpcPort;
    private boolean closed;

    private UploadServer(UploadConfig config, PieceNotifications notifications, VortexPieceServer vortex, Server grpc,
                         HealthStatusManager health, ScheduledExecutorService timer) {
        this.config = config;
        this.notifications = notifications;
        this.vortex = vortex;
        this.grpc = grpc;
        this.health = health;
        this.timer = timer;
        this.grpcPort = grpc.getPort();
    }

    /** A builder for a server over {@code store} with {@code config}. */
    public static Builder builder(UploadConfig config, PieceStore store) {
        return new Builder(config, store);
    }

    /** The bound DfdaemonUpload gRPC port (what AnnounceHost reports as Host.port and download_port). */
    public int grpcPort() {
        return grpcPort;
    }

    /** The bound Vortex TCP port (what SyncPieces tells children as tcp_port). */
    public int vortexPort() {
        return vortex.port();
    }

    public UploadConfig config() {
        return config;
    }

    /** The listener to hand to the download engine so SyncPieces streams hear of new pieces at once. */
    public PieceNotifications notifications() {
        return notifications;
    }

    /** Piece bytes uploaded to children since start. */
    public long uploadedBytes() {
        return vortex.uploadedBytes();
    }

    /** Health NOT_SERVING, then stops gRPC (2 s grace, then cancels streams) and the piece server. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        health.setStatus("", ServingStatus.NOT_SERVING);
        health.setStatus(SERVICE_NAME, ServingStatus.NOT_SERVING);
        grpc.shutdown();
        try {
            if (!grpc.awaitTermination(2, TimeUnit.SECONDS)) {
                grpc.shutdownNow();
                grpc.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            grpc.shutdownNow();
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        vortex.close();
        LOG.info("upload server stopped: grpc_port={}", grpcPort);
    }

    /** Options of an {@link UploadServer}; {@link #start()} binds both ports. */
    public static final class Builder {
        private final UploadConfig config;
        private final PieceStore store;
        private PieceNotifications notifications;
        private MeterRegistry registry;
        private EventLoopGroup group;
        private LongSupplier receivedBytes = () -> 0L;
        private LongSupplier sentBytes;

        private Builder(UploadConfig config, PieceStore store) {
            this.config = Objects.requireNonNull(config, "config");
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The node's piece listener (default: a new one, see {@link UploadServer#notifications()}). */
        public Builder notifications(PieceNotifications n) {
            this.notifications = n;
            return this;
        }

        /** Where the upload meters go (default: a private {@link SimpleMeterRegistry}). */
        public Builder meterRegistry(MeterRegistry r) {
            this.registry = r;
            return this;
        }

        /**
         * A NIO event-loop group shared by both servers (Netty 4.2 {@code MultiThreadIoEventLoopGroup} with
         * {@code NioIoHandler}; its owner shuts it down). Default: gRPC's own and a private one for Vortex.
         */
        public Builder eventLoopGroup(EventLoopGroup g) {
            this.group = g;
            return this;
        }

        /**
         * Total piece bytes this node has downloaded so far (e.g. {@code VortexPieceClient::bytesReceived} plus
         * back-to-source bytes), for SyncHost's rx_bandwidth. Default: always 0.
         */
        public Builder receivedBytes(LongSupplier bytes) {
            this.receivedBytes = Objects.requireNonNull(bytes);
            return this;
        }

        /**
         * Total bytes this node has uploaded so far, for SyncHost's tx_bandwidth (e.g. to count other upload traffic
         * of the host too, or for tests to drive the figure). Default: the Vortex server's uploaded piece bytes.
         */
        public Builder uploadedBytes(LongSupplier bytes) {
            this.sentBytes = Objects.requireNonNull(bytes);
            return this;
        }

        /**
         * Binds and starts the Vortex server, then the gRPC server.
         *
         * @throws UncheckedIOException  if the gRPC port cannot be bound
         * @throws IllegalStateException if the Vortex port cannot be bound
         */
        public UploadServer start() {
            PieceNotifications n = notifications != null ? notifications : new PieceNotifications();
            MeterRegistry r = registry != null ? registry : new SimpleMeterRegistry();
            VortexPieceServer vortex = new VortexPieceServer(store, config.hostId(),
                    new TokenBucket(config.uploadRateLimit()), config.maxConcurrentUploads(), config.faults(), r)
                    .repeatHold(config.repeatHold())
                    .start(new InetSocketAddress(config.bindAddress(), config.vortexPort()), group);
            AtomicInteger threads = new AtomicInteger();
            ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, task -> {
                Thread t = new Thread(task, "dfdaemon-upload-timer-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            BandwidthSampler bandwidth = new BandwidthSampler(config.effectiveMaxTxBandwidth(),
                    config.effectiveMaxRxBandwidth(), sentBytes != null ? sentBytes : vortex::uploadedBytes,
                    receivedBytes);
            timer.scheduleAtFixedRate(bandwidth::sample, 1, 1, TimeUnit.SECONDS);
            int vortexPort = vortex.port();
            DfdaemonUploadService service = new DfdaemonUploadService(store, n, config.advertisedIp(),
                    () -> vortexPort, bandwidth, timer, config.faults());
            HealthStatusManager health = new HealthStatusManager();
            InetSocketAddress address = new InetSocketAddress(config.bindAddress(), config.grpcPort());
            NettyServerBuilder b = NettyServerBuilder.forAddress(address)
                    .addService(service)
                    .addService(health.getHealthService())
                    .maxInboundMessageSize(4 << 20);
            if (group != null) {
                b.bossEventLoopGroup(group).workerEventLoopGroup(group).channelType(NioServerSocketChannel.class);
            }
            Server grpc;
            try {
                grpc = b.build().start();
            } catch (IOException e) {
                timer.shutdownNow();
                vortex.close();
                throw new UncheckedIOException("cannot serve DfdaemonUpload on " + address, e);
            }
            health.setStatus("", ServingStatus.SERVING);
            health.setStatus(SERVICE_NAME, ServingStatus.SERVING);
            LOG.info("upload server listening: address={} grpc_port={} vortex_port={} advertised_ip={} host_id={}",
                    config.bindAddress(), grpc.getPort(), vortexPort, config.advertisedIp(), config.hostId());
            return new UploadServer(config, n, vortex, grpc, health, timer);
        }
    }
}
