package dev.damselfly.exchange.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.exchange.vortex.UploadFaults;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.oci.registry.RegistryHttpClients;
import dev.damselfly.scheduler.client.id.TaskIds;
import dev.damselfly.scheduler.server.SchedulerConfig;
import dev.damselfly.scheduler.server.SchedulerServer;
import dev.damselfly.testkit.image.DeterministicBytes;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child with fewer than 6 parents asks the scheduler for more after 1 s (a top-up), keeping the ones it has: on the
 * real wire with the real embedded scheduler, the top-ups are answered, nobody is sent back to source, no answer
 * counts toward the schedule limit, and both children complete from peers. (Which parents a top-up can add follows
 * the scheduler's DAG: a peer can never become a parent of its own ancestor; the scheduler's unit test checks that a
 * sibling that gained pieces is offered.)
 */
class TopUpParentsTest {
    private static final int PIECE = 64 << 10;
    private static final int PIECES = 64;
    private static final byte[] BLOB = DeterministicBytes.bytes(41, PIECES * PIECE);

    @TempDir
    Path dir;
    private SchedulerServer scheduler;
    private RangeHttpServer http;
    private CloseableHttpClient client;
    private final List<WireNode> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        scheduler = new SchedulerServer(SchedulerConfig.defaults().withRetry(5, Duration.ofMillis(50), 4)).start(0);
        http = new RangeHttpServer();
        client = RegistryHttpClients.create(RegistryClientConfig.builder().build());
    }

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(WireNode::close);
        client.close();
        http.close();
        scheduler.close();
    }

    /** A node whose uploads run at 1 MiB/s, so a download from one parent takes seconds. */
    private WireNode node(String name) {
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(60));
        WireNode n = new WireNode(name, dir, scheduler.loopbackAddress(), config, 1_000_000_000L, UploadFaults.NONE,
                null, u -> u.withUploadRateLimit(1L << 20));
        nodes.add(n);
        return n;
    }

    @Test
    void childrenWithFewParentsTopUpAndStayInTheSwarm() throws Exception {
        WireNode source = node("source");
        WireNode first = node("first");
        WireNode second = node("second");
        URI url = http.put("/top-up", BLOB);
        TaskRequest r = TaskRequest.of(TaskIds.taskId(url.toString()), url.toString(),
                        new HttpRangeOrigin(client, url, Map.of()))
                .withPieceLength(PIECE).withExpectedSha256(sha256(BLOB));
        source.engine.download(r).completion().get(30, TimeUnit.SECONDS);
        long originPieces = http.pieceRequests();

        // "first" registers while only the source has pieces: its one parent is the source; "second" registers next
        // and gets the source and "first"; both have fewer than 3 parents and top up after 1 s (the downloads take
        // about 4 s at the parents' 1 MiB/s)
        CompletableFuture<DownloadResult> firstDone = first.engine.download(r).completion();
        Thread.sleep(300);
        CompletableFuture<DownloadResult> secondDone = second.engine.download(r).completion();
        DownloadResult a = firstDone.get(60, TimeUnit.SECONDS);
        DownloadResult b = secondDone.get(60, TimeUnit.SECONDS);

        assertEquals(originPieces, http.pieceRequests(), "the children used no origin");
        assertEquals(BLOB.length, a.bytes(PieceSource.REMOTE_PEER));
        assertEquals(BLOB.length, b.bytes(PieceSource.REMOTE_PEER));
        assertTrue(scheduler.scheduling().topUpDecisions() >= 2, "both children topped up: "
                + scheduler.scheduling().topUpDecisions());
        assertEquals(1, scheduler.scheduling().backToSourceDecisions(), "only the source went to the origin");
        assertTrue(second.trackedParentHosts.contains(first.hostId()), "the later child uses the earlier one");
        assertTrue(first.upload.uploadedBytes() > 0, "the first child uploaded pieces to the second");
        for (WireNode n : List.of(first, second)) {
            try (InputStream in = n.engine.download(r).openStream(0, BLOB.length)) {
                assertArrayEquals(BLOB, in.readAllBytes());
            }
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
