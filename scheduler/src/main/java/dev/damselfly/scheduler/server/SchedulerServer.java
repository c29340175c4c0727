package dev.damselfly.scheduler.server;

import dev.damselfly.scheduler.client.SchedulerClientConfig;
import dev.damselfly.scheduler.proto.scheduler.v2.SchedulerGrpc;
import dev.damselfly.scheduler.server.resource.ResourceStore;
import dev.damselfly.scheduler.server.scheduling.GrpcSeedPeerTrigger;
import dev.damselfly.scheduler.server.scheduling.Scheduling;
import dev.damselfly.scheduler.server.scheduling.SeedPeerTrigger;
import io.grpc.Server;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded / standalone scheduler: serves {@code scheduler.v2.Scheduler} and {@code grpc.health.v1.Health}
 * (SERVING for {@code ""} and {@code scheduler.v2.Scheduler}) on one port, and sweeps expired hosts, peers and
 * tasks every {@link SchedulerConfig#gcInterval()}. Inside a node it runs in the same JVM on a loopback port (where
 * other nodes may reach it too), and the node's own client reaches it in-process ({@link #inProcessAddress()});
 * standalone, {@link #main} serves on all interfaces (default port 8002).
 */
public final class SchedulerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerServer.class);
    /** Default scheduler port. */
    public static final int DEFAULT_PORT = 8002;

    private final SchedulerConfig config;
    private final ResourceStore store;
    private final Scheduling scheduling;
    private final HealthStatusManager health = new HealthStatusManager();
    private ScheduledExecutorService gc;
    private Server server;
    /** The same services for clients in this JVM (gRPC's in-process transport), named {@link #inProcessName}. */
    private Server inProcess;
    private String inProcessName;
    private boolean closed;
    private int boundPort;

    public SchedulerServer(SchedulerConfig config) {
        this(config, new GrpcSeedPeerTrigger());
    }

    public SchedulerServer(SchedulerConfig config, SeedPeerTrigger seedTrigger) {
        this.config = config;
        this.store = new ResourceStore(config.normalUploadLimit(), config.seedUploadLimit());
        this.scheduling = new Scheduling(config, store, seedTrigger);
    }

    /** Serves on loopback; port 0 picks a free port (see {@link #port()}). */
    public SchedulerServer start(int port) {
        return start(new InetSocketAddress("127.0.0.1", port));
    }

    /** Serves on the given address. */
    public synchronized SchedulerServer start(InetSocketAddress address) {
        if (server != null) {
            throw new IllegalStateException("scheduler already started on port " + boundPort);
        }
        try {
            SchedulerService service = new SchedulerService(store, scheduling);
            server = NettyServerBuilder.forAddress(address)
                    .addService(service)
                    .addService(health.getHealthService())
                    .maxInboundMessageSize(Integer.MAX_VALUE)
                    .build()
                    .start();
            inProcessName = "damselfly-scheduler-" + server.getPort() + "-" + Integer.toHexString(
                    System.identityHashCode(this));
            inProcess = InProcessServerBuilder.forName(inProcessName)
                    .addService(service)
                    .addService(health.getHealthService())
                    .maxInboundMessageSize(Integer.MAX_VALUE)
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the scheduler on " + address, e);
        }
        boundPort = server.getPort();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(SchedulerGrpc.SERVICE_NAME, ServingStatus.SERVING);
        gc = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scheduler-gc");
            t.setDaemon(true);
            return t;
        });
        long period = config.gcInterval().toNanos();
        gc.scheduleAtFixedRate(this::expireNow, period, period, TimeUnit.NANOSECONDS);
        LOG.info("scheduler serving address={} port={}", address.getAddress().getHostAddress(), boundPort);
        return this;
    }

    /** The bound port (after start). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("scheduler not started");
        }
        return boundPort;
    }

    /**
     * {@code 127.0.0.1:port} for a scheduler started with {@link #start(int)}: where clients in other processes on
     * this machine reach it over a socket (a node's own client uses {@link #inProcessAddress()}).
     */
    public String loopbackAddress() {
        return "127.0.0.1:" + port();
    }

    /**
     * The address a client in this JVM reaches this scheduler at without a socket ({@code in-process:NAME}, see
     * {@link SchedulerClientConfig#IN_PROCESS_PREFIX}): how a node talks to its embedded scheduler.
     */
    public synchronized String inProcessAddress() {
        if (server == null) {
            throw new IllegalStateException("scheduler not started");
        }
        return SchedulerClientConfig.IN_PROCESS_PREFIX + inProcessName;
    }

    /** The settings this server schedules with. */
    public SchedulerConfig config() {
        return config;
    }

    public ResourceStore resources() {
        return store;
    }

    public Scheduling scheduling() {
        return scheduling;
    }

    /** Runs one expiry sweep now. */
    public void expireNow() {
        try {
            int[] n = store.expire(System.nanoTime(), config.hostTtl().toNanos(), config.peerTtl().toNanos(),
                    config.taskTtl().toNanos());
            if (n[0] + n[1] + n[2] > 0) {
                LOG.info("expired hosts={} peers={} tasks={}", n[0], n[1], n[2]);
            }
        } catch (RuntimeException e) {
            LOG.error("expiry sweep failed", e);
        }
    }

    /** Stops serving (health NOT_SERVING first) and releases threads. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server == null) {
            scheduling.close();
            return;
        }
        for (String service : new String[] {"", SchedulerGrpc.SERVICE_NAME}) {
            health.setStatus(service, ServingStatus.NOT_SERVING);
        }
        inProcess.shutdownNow();
        server.shutdownNow();
        try {
            inProcess.awaitTermination(5, TimeUnit.SECONDS);
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gc.shutdownNow();
        scheduling.close();
        LOG.info("scheduler stopped port={}", boundPort);
    }

    /** Standalone: {@code SchedulerServer [port]} serves on all interfaces until killed. */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
        SchedulerServer s = new SchedulerServer(SchedulerConfig.defaults()).start(new InetSocketAddress(port));
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "scheduler-shutdown"));
        Thread.currentThread().join();
    }
}
