package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.upload.UploadConfig;
import dev.damselfly.exchange.vortex.UploadFaults;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.oci.registry.RegistryHttpClients;
import dev.damselfly.scheduler.client.id.TaskIds;
import dev.damselfly.scheduler.server.SchedulerConfig;
import dev.damselfly.scheduler.server.SchedulerServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/**
 * What the real-wire engine tests share: a real embedded scheduler on loopback, a Range-capable HTTP origin, and
 * the {@link WireNode}s made through it, all closed by {@link #close()}.
 */
final class WireLab implements AutoCloseable {
    /** max_tx_bandwidth the convenience overloads report, bits/s: 1 Gbit/s. */
    private static final long DEFAULT_MAX_TX_BPS = 1_000_000_000L;

    final Path dir;
    final SchedulerServer scheduler;
    final RangeHttpServer http;
    private final CloseableHttpClient client;
    private final List<WireNode> nodes = new ArrayList<>();

    WireLab(Path dir) throws Exception {
        this.dir = dir;
        this.scheduler = new SchedulerServer(SchedulerConfig.defaults().withRetry(5, Duration.ofMillis(50), 4)).start(0);
        this.http = new RangeHttpServer();
        this.client = RegistryHttpClients.create(RegistryClientConfig.builder().build());
    }

    /**
     * A node under this lab's scheduler.
     *
     * @param maxTxBps       max_tx_bandwidth its upload server reports, bits/s
     * @param uploadedBytes  the upload counter its SyncHost samples, or null for the real one
     * @param uploadSettings adjusts its upload server's settings
     */
    WireNode node(String name, EngineConfig config, long maxTxBps, UploadFaults faults, LongSupplier uploadedBytes,
                  UnaryOperator<UploadConfig> uploadSettings) {
        WireNode n = new WireNode(name, dir, scheduler.loopbackAddress(), config, maxTxBps, faults, uploadedBytes,
                uploadSettings);
        nodes.add(n);
        return n;
    }

    /** A node reporting 1 Gbit/s of upload bandwidth, without upload faults, its upload settings adjusted. */
    WireNode node(String name, EngineConfig config, UnaryOperator<UploadConfig> uploadSettings) {
        return node(name, config, DEFAULT_MAX_TX_BPS, UploadFaults.NONE, null, uploadSettings);
    }

    /** A node reporting 1 Gbit/s of upload bandwidth, without upload faults, with default upload settings. */
    WireNode node(String name, EngineConfig config) {
        return node(name, config, u -> u);
    }

    /** Serves {@code blob} at {@code path} and returns a task request for it with the given piece length. */
    TaskRequest request(String path, byte[] blob, int pieceLength) throws Exception {
        URI url = http.put(path, blob);
        return TaskRequest.of(TaskIds.taskId(url.toString()), url.toString(), new HttpRangeOrigin(client, url, Map.of()))
                .withPieceLength(pieceLength).withExpectedSha256(DownloadEngineOriginTest.sha256(blob));
    }

    /** Closes one node now (its later close by the lab is a no-op for the test). */
    void closeNode(WireNode n) {
        if (nodes.remove(n)) {
            n.close();
        }
    }

    @Override
    public void close() throws Exception {
        nodes.forEach(WireNode::close);
        client.close();
        http.close();
        scheduler.close();
    }
}
