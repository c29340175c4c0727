package dev.damselfly.exchange.engine;

import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.readAll;
import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.exchange.engine.InProcessSwarm.Fault;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.oci.registry.RegistryHttpClients;
import dev.damselfly.scheduler.client.id.TaskIds;
import dev.damselfly.scheduler.server.SchedulerConfig;
import dev.damselfly.scheduler.server.SchedulerServer;
import dev.damselfly.testkit.image.DeterministicBytes;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several engines under one real embedded scheduler (real scheduler clients over loopback gRPC, real piece
 * stores). The piece wire between them is the TEST-ONLY {@link InProcessSwarm} (the real Vortex and SyncPieces
 * clients are tested in their own packages; a real-wire engine test is still to come).
 */
class DownloadEngineP2PTest {
    private static final int PIECE = 64 << 10;
    private static final int PIECES = 24;
    private static final byte[] BLOB = DeterministicBytes.bytes(11, PIECES * PIECE);
    private static final byte[] OTHER = DeterministicBytes.bytes(12, PIECES * PIECE - 999);

    @TempDir
    Path dir;
    private SchedulerServer scheduler;
    private RangeHttpServer http;
    private CloseableHttpClient client;
    private InProcessSwarm swarm;
    private final List<EngineNode> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        scheduler = new SchedulerServer(SchedulerConfig.defaults().withRetry(5, Duration.ofMillis(50), 4)).start(0);
        http = new RangeHttpServer();
        client = RegistryHttpClients.create(RegistryClientConfig.builder().build());
        swarm = new InProcessSwarm();
    }

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(EngineNode::close);
        swarm.close();
        client.close();
        http.close();
        scheduler.close();
    }

    private static EngineConfig p2pConfig() {
        return EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    private EngineNode node(String schedulerAddress, EngineConfig config) {
        EngineNode n = new EngineNode(nodes.size() + 1, dir, schedulerAddress, config, swarm);
        nodes.add(n);
        return n;
    }

    private EngineNode node() {
        return node(scheduler.loopbackAddress(), p2pConfig());
    }

    private TaskRequest request(String path, byte[] content) throws Exception {
        URI url = http.put(path, content);
        return TaskRequest.of(TaskIds.taskId(url.toString()), url.toString(), new HttpRangeOrigin(client, url, Map.of()))
                .withPieceLength(PIECE).withExpectedSha256(sha256(content));
    }

    private static DownloadResult complete(EngineNode n, TaskRequest r) throws Exception {
        return n.engine.download(r).completion().get(30, TimeUnit.SECONDS);
    }

    private static void assertStored(EngineNode n, TaskRequest r, byte[] content) throws Exception {
        TaskDownload d = n.engine.download(r);
        d.completion().get(10, TimeUnit.SECONDS);
        assertArrayEquals(content, readAll(d.openStream(0, content.length)), n.name + " holds the exact bytes");
    }

    @Test
    void theSecondEngineDownloadsItsPiecesFromTheFirst() throws Exception {
        EngineNode a = node();
        EngineNode b = node();
        TaskRequest r = request("/blob", BLOB);

        DownloadResult fromOrigin = complete(a, r);
        assertEquals(BLOB.length, fromOrigin.bytes(PieceSource.BACK_TO_SOURCE), "first peer goes back to source");
        DownloadResult fromPeer = complete(b, r);
        assertEquals(BLOB.length, fromPeer.bytes(PieceSource.REMOTE_PEER), "second peer downloads from the first");
        assertEquals(0, fromPeer.bytes(PieceSource.BACK_TO_SOURCE));
        assertEquals(BLOB.length, http.bytesRequested(), "the origin served the blob once: " + http.ranges());
        assertEquals(PIECES, swarm.transfersFrom(a.tcpPort));
        assertEquals(BLOB.length, b.traffic(PieceSource.REMOTE_PEER));
        assertEquals(PIECES, b.announcedToChildren.size(), "pieces from a parent are announced to children too");
        assertStored(b, r, BLOB);
    }

    @Test
    void aStreamReadsPiecesWrittenWithDirectIoBackTheSameWayFromTheOriginAndFromPeers() throws Exception {
        EngineNode a = node();
        EngineNode b = node();
        TaskRequest r = request("/blob", BLOB);
        complete(a, r); // a: pieces streamed from the origin, gathered whole, written with direct I/O
        complete(b, r); // b: pieces from a, written with direct I/O (whole aligned pieces)
        assertTrue(a.directBytes("write") >= BLOB.length, "the origin's pieces were written with direct I/O");
        assertTrue(b.directBytes("write") >= BLOB.length, "the peer's pieces were written with direct I/O");

        for (EngineNode n : new EngineNode[] {a, b}) {
            double before = n.directBytes("read");
            assertArrayEquals(BLOB, readAll(n.engine.download(r).openStream(0, BLOB.length)));
            assertEquals(BLOB.length, n.directBytes("read") - before, 0.0,
                    "every piece of " + n.name + "'s stream came from the disk, none through the page cache");
        }
    }

    @Test
    void aThirdEngineSpreadsItsPiecesOverBothParents() throws Exception {
        EngineNode a = node();
        EngineNode b = node();
        EngineNode c = node();
        TaskRequest r = request("/three", BLOB);
        complete(a, r);
        complete(b, r);
        int fromA = swarm.transfersFrom(a.tcpPort);
        DownloadResult result = complete(c, r);
        assertEquals(BLOB.length, result.bytes(PieceSource.REMOTE_PEER));
        assertEquals(BLOB.length, http.bytesRequested(), "origin bytes 1× the blob for three nodes: " + http.ranges());
        int cFromA = swarm.transfersFrom(a.tcpPort) - fromA;
        int cFromB = swarm.transfersFrom(b.tcpPort);
        assertEquals(PIECES, cFromA + cFromB);
        assertTrue(cFromA > 0 && cFromB > 0, "weighted random choice uses both parents: " + cFromA + "/" + cFromB);
        assertStored(c, r, BLOB);
    }

    @Test
    void aParentFailingMidWayIsReplacedByAnotherParent() throws Exception {
        EngineNode a = node();
        EngineNode b = node();
        EngineNode c = node();
        TaskRequest r = request("/flaky", BLOB);
        complete(a, r);
        complete(b, r);
        int before = swarm.transfersFrom(a.tcpPort);
        swarm.faults((port, piece, attempt) -> port == a.tcpPort && attempt >= before + 2 ? Fault.THROW : Fault.NONE);
        DownloadResult result = complete(c, r);
        assertTrue(swarm.faultsFrom(a.tcpPort) >= 1, "some transfers from a failed");
        assertTrue(result.bytes(PieceSource.BACK_TO_SOURCE) <= 3L * PIECE,
                "failed pieces were retried on b at once, not sent to the origin: " + result.bytesBySource());
        assertTrue(swarm.faultsFrom(a.tcpPort) <= p2pConfig().parentFailureLimit() + p2pConfig().concurrentPieceCount(),
                "a was dropped after " + p2pConfig().parentFailureLimit() + " failures");
        assertStored(c, r, BLOB);
    }

    @Test
    void theOnlyParentFailingMidWayLeavesTheRestToTheOrigin() throws Exception {
        EngineNode a = node();
        EngineNode b = node();
        TaskRequest r = request("/lonely", BLOB);
        complete(a, r);
        swarm.faults((port, piece, attempt) -> port == a.tcpPort && attempt >= 3 ? Fault.THROW : Fault.NONE);
        DownloadResult result = complete(b, r);
        assertTrue(result.bytes(PieceSource.REMOTE_PEER) >= 3L * PIECE, result.bytesBySource().toString());
        assertTrue(result.bytes(PieceSource.BACK_TO_SOURCE) > 0, result.bytesBySource().toString());
        assertEquals(BLOB.length, result.bytes(PieceSource.REMOTE_PEER) + result.bytes(PieceSource.BACK_TO_SOURCE));
        assertStored(b, r, BLOB);
    }

    @Test
    void aParentSendingCorruptPiecesIsNeverStoredAndAvoidedNodeWide() throws Exception {
        EngineNode a = node();
        EngineNode b = node();
        EngineNode c = node();
        TaskRequest x = request("/x", BLOB);
        TaskRequest y = request("/y", OTHER);
        complete(a, x);
        complete(b, x);
        complete(a, y);
        complete(b, y);
        swarm.faults((port, piece, attempt) -> port == a.tcpPort ? Fault.CORRUPT : Fault.NONE);
        int fromABefore = swarm.transfersFrom(a.tcpPort);

        DownloadResult result = complete(c, x); // the expected SHA-256 is checked over the whole content too
        int corrupt = swarm.faultsFrom(a.tcpPort);
        assertTrue(corrupt >= 1 && corrupt <= p2pConfig().concurrentPieceCount(),
                "a was avoided after its first corrupt piece (at most one window in flight): " + corrupt);
        assertTrue(c.engine.avoidedParentHosts().contains(a.hostId()), c.engine.avoidedParentHosts().toString());
        assertEquals(BLOB.length, result.bytes(PieceSource.REMOTE_PEER) + result.bytes(PieceSource.BACK_TO_SOURCE));
        assertEquals(sha256(BLOB), result.sha256().orElseThrow());
        assertStored(c, x, BLOB);

        // node-wide: the next task does not touch a at all
        int fromA = swarm.transfersFrom(a.tcpPort);
        assertEquals(fromABefore + corrupt, fromA);
        DownloadResult second = complete(c, y);
        assertEquals(fromA, swarm.transfersFrom(a.tcpPort), "a is avoided for other tasks too");
        assertEquals(OTHER.length, second.bytes(PieceSource.REMOTE_PEER), "y came from b");
        assertStored(c, y, OTHER);
    }

    @Test
    void aRangeDownloadTakesOnlyTheCoveringPiecesFromAParent() throws Exception {
        EngineNode a = node();
        EngineNode b = node();
        TaskRequest r = request("/range", BLOB);
        complete(a, r);
        http.clearLog();
        b.engine.ensureRange(r, 10L * PIECE + 5, PIECE); // pieces 10 and 11
        assertEquals(2, swarm.transfersFrom(a.tcpPort), "only the two covering pieces were transferred");
        for (int n = 0; n < PIECES; n++) {
            assertEquals(n == 10 || n == 11, b.store.hasPiece(r.taskId(), n), "piece " + n);
        }
        assertEquals(0, http.pieceRequests(), "nothing from the origin");
    }

    @Test
    void withTheSchedulerDownTheDownloadFallsBackToTheOrigin() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        EngineNode a = node("127.0.0.1:" + closedPort, p2pConfig());
        TaskRequest r = request("/down", BLOB);
        DownloadResult result = complete(a, r);
        assertEquals(BLOB.length, result.bytes(PieceSource.BACK_TO_SOURCE));
        assertEquals(BLOB.length, http.bytesRequested(), http.ranges().toString());
        assertStored(a, r, BLOB);

        EngineNode strict = node("127.0.0.1:" + closedPort, p2pConfig().withBackToSourceEnabled(false));
        TaskRequest other = request("/down-strict", OTHER);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> strict.engine.download(other).completion().get(30, TimeUnit.SECONDS));
        assertInstanceOf(BackToSourceDisabledException.class, e.getCause());
    }
}
