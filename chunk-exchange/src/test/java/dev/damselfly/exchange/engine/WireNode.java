package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.ParentLoad;
import dev.damselfly.exchange.upload.SyncHostClient;
import dev.damselfly.exchange.upload.SyncPiecesClient;
import dev.damselfly.exchange.upload.UploadConfig;
import dev.damselfly.exchange.upload.UploadServer;
import dev.damselfly.exchange.vortex.UploadFaults;
import dev.damselfly.exchange.vortex.VortexPieceClient;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import dev.damselfly.scheduler.client.SchedulerClient;
import dev.damselfly.scheduler.client.host.HostFactsCollector;
import dev.damselfly.scheduler.client.host.HostIdentity;
import dev.damselfly.scheduler.client.id.HostIds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One test node on the real wire, wired as the node daemon wires it: a real piece store, a real {@link UploadServer}
 * (DfdaemonUpload gRPC + Vortex on loopback, ephemeral ports), a real scheduler client, and a download engine over
 * the real SyncPieces, Vortex and SyncHost clients.
 */
final class WireNode implements AutoCloseable {
    static final String IP = "127.0.0.1";

    final String name;
    final PieceStore store;
    final UploadServer upload;
    final HostIdentity identity;
    final SchedulerClient scheduler;
    final SyncPiecesClient syncPieces;
    final VortexPieceClient vortex;
    final SyncHostClient syncHost;
    final DownloadEngine engine;
    /** Parent host ids the engine asked the SyncHost client to track. */
    final Set<String> trackedParentHosts = ConcurrentHashMap.newKeySet();

    /**
     * @param maxTxBps      max_tx_bandwidth the upload server reports, bits/s
     * @param uploadedBytes the upload counter its SyncHost samples, or null for its real Vortex counter
     */
    WireNode(String name, Path dir, String schedulerAddress, EngineConfig config, long maxTxBps, UploadFaults faults,
             LongSupplier uploadedBytes) {
        this(name, dir, schedulerAddress, config, maxTxBps, faults, uploadedBytes, u -> u);
    }

    /** The upload server's meters (Vortex upload counters and failures by reason). */
    final SimpleMeterRegistry uploadMeters = new SimpleMeterRegistry();

    /** @param uploadSettings adjusts the upload server's settings (concurrency cap, rate limit) */
    WireNode(String name, Path dir, String schedulerAddress, EngineConfig config, long maxTxBps, UploadFaults faults,
             LongSupplier uploadedBytes, java.util.function.UnaryOperator<UploadConfig> uploadSettings) {
        this.name = name;
        this.store = PieceStore.open(dir.resolve(name), PieceStoreConfig.builder().syncWrites(false)
                .gcInterval(Duration.ZERO).build());
        String hostId = HostIds.hostId(IP, name, false);
        UploadServer.Builder b = UploadServer.builder(uploadSettings.apply(UploadConfig.defaults(hostId, IP)
                .withBindAddress(IP).withPorts(0, 0).withBandwidth(maxTxBps, 0).withFaults(faults)), store)
                .meterRegistry(uploadMeters);
        if (uploadedBytes != null) {
            b.uploadedBytes(uploadedBytes);
        }
        this.upload = b.start();
        this.identity = HostIdentity.of(IP, name, upload.grpcPort(), dir);
        this.scheduler = SchedulerClient.start(EngineNode.fastSchedulerConfig(schedulerAddress),
                new HostFactsCollector(identity, OptionalLong::empty));
        this.syncPieces = new SyncPiecesClient(Duration.ofSeconds(30));
        this.vortex = new VortexPieceClient();
        this.syncHost = new SyncHostClient(syncPieces);
        ParentLoad recording = (parent, childHostId, childPeerId) -> {
            trackedParentHosts.add(parent.hostId());
            return syncHost.track(parent, childHostId, childPeerId);
        };
        this.engine = new DownloadEngine(config, store, Optional.of(scheduler), identity, syncPieces, vortex,
                upload.notifications(), recording, new SimpleMeterRegistry());
    }

    String hostId() {
        return identity.hostId();
    }

    @Override
    public void close() {
        engine.close();
        syncHost.close();
        syncPieces.close();
        vortex.close();
        scheduler.close();
        upload.close();
        store.close();
    }
}
