package dev.damselfly.scheduler.client;

import dev.damselfly.scheduler.client.host.HostFactsCollector;
import dev.damselfly.scheduler.client.validation.MessageValidator;
import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Task;
import dev.damselfly.scheduler.proto.scheduler.v2.StatTaskRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnounceHostRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DeleteHostRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DeleteTaskRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.ListHostsRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.SchedulerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's connection to one or more Dragonfly v2 schedulers.
 *
 * <p>At {@link #start} it announces the host to every scheduler and repeats every
 * {@link SchedulerClientConfig#announceInterval()}; {@link #openPeer} starts one AnnouncePeer session per
 * download on the scheduler chosen for the task (spec §1.13: healthy schedulers only, consistent hash of the
 * task id's first 5 characters); {@link #deleteTask} reports an evicted task; {@link #close} sends DeleteHost
 * to every scheduler and shuts the channels down. Thread-safe.
 */
public final class SchedulerClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerClient.class);

    private record Health(boolean serving, long checkedAtNanos) {
    }

    private final SchedulerClientConfig config;
    private final HostFactsCollector host;
    private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    private final Map<String, Health> health = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor;
    private volatile ScheduledFuture<?> announcer;
    private volatile boolean closed;

    private SchedulerClient(SchedulerClientConfig config, HostFactsCollector host) {
        this.config = config;
        this.host = host;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "scheduler-client-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newScheduledThreadPool(2, tf);
        for (String address : config.addresses()) {
            channels.put(address, channelTo(address, config));
        }
    }

    /** A channel to a scheduler in this JVM ({@code in-process:NAME}) or across the network ({@code host:port}). */
    private static ManagedChannel channelTo(String address, SchedulerClientConfig config) {
        if (address.startsWith(SchedulerClientConfig.IN_PROCESS_PREFIX)) {
            return InProcessChannelBuilder.forName(address.substring(SchedulerClientConfig.IN_PROCESS_PREFIX.length()))
                    .maxInboundMessageSize(Integer.MAX_VALUE)
                    .build();
        }
        return NettyChannelBuilder.forTarget(address)
                .usePlaintext()
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .keepAliveTime(300, TimeUnit.SECONDS)
                .keepAliveTimeout(20, TimeUnit.SECONDS)
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .build();
    }

    /**
     * Connects, announces the host once to every scheduler (failures are logged, not thrown) and schedules
     * the periodic announcement.
     */
    public static SchedulerClient start(SchedulerClientConfig config, HostFactsCollector host) {
        SchedulerClient c = new SchedulerClient(config, host);
        c.announceHostNow();
        long period = config.announceInterval().toMillis();
        c.announcer = c.executor.scheduleAtFixedRate(c::announceQuietly, period, period, TimeUnit.MILLISECONDS);
        return c;
    }

    private void announceQuietly() {
        try {
            announceHostNow();
        } catch (RuntimeException e) {
            // keep the periodic announcement alive whatever one round throws
            LOG.error("announce host round failed host_id={}: {}", hostId(), e.toString());
        }
    }

    public SchedulerClientConfig config() {
        return config;
    }

    /** This node's host id. */
    public String hostId() {
        return host.identity().hostId();
    }

    /** The Host message as announced now. */
    public Host currentHost() {
        return host.collect();
    }

    /**
     * Sends AnnounceHost to every scheduler now.
     *
     * @return the number of schedulers that accepted it
     */
    public int announceHostNow() {
        Host h = host.collect();
        AnnounceHostRequest req = AnnounceHostRequest.newBuilder().setHost(h)
                .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(config.announceInterval().toSeconds()))
                .build();
        MessageValidator.validate(req);
        int ok = 0;
        for (String address : config.addresses()) {
            try {
                blocking(address).announceHost(req);
                ok++;
                LOG.debug("announce host ok scheduler={} host_id={}", address, h.getId());
            } catch (StatusRuntimeException e) {
                LOG.warn("announce host failed scheduler={} host_id={} status={}", address, h.getId(), e.getStatus());
            }
        }
        return ok;
    }

    /** Sends AnnounceHost to one scheduler now (before re-registering on it); false when it failed. */
    public boolean announceHostTo(String address) {
        Host h = host.collect();
        try {
            blocking(address).announceHost(AnnounceHostRequest.newBuilder().setHost(h)
                    .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(config.announceInterval().toSeconds()))
                    .build());
            return true;
        } catch (StatusRuntimeException e) {
            LOG.warn("announce host failed scheduler={} host_id={} status={}", address, h.getId(), e.getStatus());
            return false;
        }
    }

    /**
     * Opens the AnnouncePeer session of one download (not yet registered: call
     * {@link PeerSession#register()}).
     *
     * @param taskId the task id (spec §3.1)
     * @param peerId a fresh peer id (spec §3.2)
     * @param download the full download description, with actual_* lengths filled when known
     */
    public PeerSession openPeer(String taskId, String peerId, Download download) {
        ensureOpen();
        return new PeerSession(this, taskId, peerId, download);
    }

    /** Tells the task's scheduler this host no longer has the task (called when the task is evicted). */
    public void deleteTask(String taskId) {
        ensureOpen();
        String address = addressFor(taskId);
        try {
            blocking(address).deleteTask(DeleteTaskRequest.newBuilder().setHostId(hostId()).setTaskId(taskId).build());
            LOG.info("delete task scheduler={} task_id={} host_id={}", address, taskId, hostId());
        } catch (StatusRuntimeException e) {
            throw new SchedulerUnavailableException(taskId, "-", address, "DeleteTask failed: " + e.getStatus(), e);
        }
    }

    /**
     * The scheduler address for a task: the ring over SERVING schedulers (health checked at most every
     * {@link SchedulerClientConfig#healthRefreshInterval()}), or over all of them when none is serving.
     */
    public String addressFor(String taskId) {
        List<String> healthy = new ArrayList<>();
        for (String a : config.addresses()) {
            if (isServing(a)) {
                healthy.add(a);
            }
        }
        return new SchedulerRing(healthy.isEmpty() ? config.addresses() : healthy).select(taskId);
    }

    /** Forgets the cached health of an address (after a stream failure). */
    void markSuspect(String address) {
        health.remove(address);
    }

    /** True when the address answers grpc.health.v1 Check("") with SERVING. */
    public boolean isServing(String address) {
        Health h = health.get(address);
        long now = System.nanoTime();
        if (h != null && now - h.checkedAtNanos() < config.healthRefreshInterval().toNanos()) {
            return h.serving();
        }
        boolean serving;
        try {
            HealthCheckResponse r = HealthGrpc.newBlockingStub(channel(address))
                    .withDeadlineAfter(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService("").build());
            serving = r.getStatus() == HealthCheckResponse.ServingStatus.SERVING;
        } catch (StatusRuntimeException e) {
            serving = false;
        }
        health.put(address, new Health(serving, now));
        return serving;
    }

    ManagedChannel channel(String address) {
        ManagedChannel c = channels.get(address);
        if (c == null) {
            throw new IllegalArgumentException("unknown scheduler address " + address);
        }
        return c;
    }

    SchedulerGrpc.SchedulerStub asyncStub(String address) {
        return SchedulerGrpc.newStub(channel(address));
    }

    private SchedulerGrpc.SchedulerBlockingStub blocking(String address) {
        return SchedulerGrpc.newBlockingStub(channel(address))
                .withDeadlineAfter(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    ScheduledExecutorService executor() {
        return executor;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("scheduler client of host " + hostId() + " is closed");
        }
    }

    /**
     * What the scheduler knows of a task (StatTask): its content length and piece count as reported by the peers
     * that have it. Empty when the scheduler does not know the task or cannot be reached (logged).
     */
    public Optional<Task> statTask(String taskId) {
        ensureOpen();
        String address = addressFor(taskId);
        try {
            return Optional.of(blocking(address).statTask(
                    StatTaskRequest.newBuilder().setHostId(hostId()).setTaskId(taskId).build()));
        } catch (StatusRuntimeException e) {
            LOG.info("stat task scheduler={} task_id={} status={}", address, taskId, e.getStatus().getCode());
            return Optional.empty();
        }
    }

    /**
     * How many hosts other than this one the schedulers know (ListHosts on each configured scheduler, hosts counted
     * once by id): the peers a task of this host could be shared with. Empty when no scheduler answered (logged).
     */
    public OptionalInt otherHostCount() {
        ensureOpen();
        Set<String> others = new HashSet<>();
        boolean answered = false;
        for (String address : config.addresses()) {
            try {
                for (Host h : blocking(address).listHosts(ListHostsRequest.getDefaultInstance()).getHostsList()) {
                    if (!h.getId().equals(hostId())) {
                        others.add(h.getId());
                    }
                }
                answered = true;
            } catch (StatusRuntimeException e) {
                LOG.info("list hosts scheduler={} host_id={} status={}", address, hostId(), e.getStatus().getCode());
            }
        }
        return answered ? OptionalInt.of(others.size()) : OptionalInt.empty();
    }

    /** Sends DeleteHost to every scheduler, then closes the channels. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (announcer != null) {
            announcer.cancel(false);
        }
        for (String address : config.addresses()) {
            try {
                blocking(address).deleteHost(DeleteHostRequest.newBuilder().setHostId(hostId()).build());
                LOG.info("delete host scheduler={} host_id={}", address, hostId());
            } catch (StatusRuntimeException e) {
                LOG.warn("delete host failed scheduler={} host_id={} status={}", address, hostId(), e.getStatus());
            }
        }
        executor.shutdownNow();
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels.values()) {
            try {
                c.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
