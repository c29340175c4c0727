package dev.damselfly.exchange.engine;

import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import dev.damselfly.scheduler.client.SchedulerClient;
import dev.damselfly.scheduler.client.SchedulerClientConfig;
import dev.damselfly.scheduler.client.host.HostFactsCollector;
import dev.damselfly.scheduler.client.host.HostIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/**
 * One test node: a real piece store in a directory, a real scheduler client (or none), a download engine over
 * the {@link InProcessSwarm} test wire, and its meters.
 */
final class EngineNode implements AutoCloseable {
    final String name;
    final int grpcPort;
    final int tcpPort;
    final PieceStore store;
    final SchedulerClient scheduler;
    final DownloadEngine engine;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final HostIdentity identity;
    /** (task id, piece) pairs the engine told its piece listener about. */
    final Set<String> announcedToChildren = ConcurrentHashMap.newKeySet();

    /**
     * @param index distinct per node: gives host name {@code node-<index>}, fake gRPC port 41000+index and fake
     *        Vortex port 42000+index
     * @param schedulerAddress {@code host:port} of the scheduler, or null for none
     */
    EngineNode(int index, Path dir, String schedulerAddress, EngineConfig config, InProcessSwarm swarm) {
        this.name = "node-" + index;
        this.grpcPort = 41000 + index;
        this.tcpPort = 42000 + index;
        this.store = PieceStore.open(dir.resolve(name), PieceStoreConfig.builder().syncWrites(false)
                .gcInterval(Duration.ZERO).build(), meters);
        this.identity = HostIdentity.of("127.0.0.1", name, grpcPort, dir);
        this.scheduler = schedulerAddress == null ? null
                : SchedulerClient.start(fastSchedulerConfig(schedulerAddress), new HostFactsCollector(identity, OptionalLong::empty));
        swarm.register(grpcPort, tcpPort, store);
        this.engine = new DownloadEngine(config, store, Optional.ofNullable(scheduler), identity, swarm.availability(),
                swarm.transfer(), (task, piece) -> announcedToChildren.add(task + "/" + piece), meters);
    }

    static SchedulerClientConfig fastSchedulerConfig(String address) {
        return SchedulerClientConfig.defaults(List.of(address))
                .withScheduleTimeout(Duration.ofSeconds(20))
                .withReconnect(Duration.ofMillis(50), Duration.ofMillis(100), 2)
                .withHealthRefreshInterval(Duration.ofMillis(200));
    }

    String hostId() {
        return identity.hostId();
    }

    /** Bytes counted by {@code dragonfly.client.download.traffic} for one source. */
    double traffic(PieceSource source) {
        var c = meters.find(EngineMetrics.TRAFFIC).tag("type", source.name()).counter();
        return c == null ? 0 : c.count();
    }

    /** Bytes the piece store moved with direct I/O ({@code damselfly.piecestore.direct.bytes}), op write or read. */
    double directBytes(String op) {
        var c = meters.find("damselfly.piecestore.direct.bytes").tag("op", op).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        engine.close();
        if (scheduler != null) {
            scheduler.close();
        }
        store.close();
    }
}
