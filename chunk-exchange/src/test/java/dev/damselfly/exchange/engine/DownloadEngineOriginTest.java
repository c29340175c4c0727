package dev.damselfly.exchange.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.oci.registry.RegistryHttpClients;
import dev.damselfly.scheduler.client.id.TaskIds;
import dev.damselfly.testkit.image.DeterministicBytes;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One engine without a scheduler: every piece from a loopback HTTP origin through {@link HttpRangeOrigin}. */
class DownloadEngineOriginTest {
    private static final int PIECE = 64 << 10;
    private static final byte[] BLOB = DeterministicBytes.bytes(7, 17 * PIECE - 4321); // 17 pieces, last short
    private static final int PIECES = 17;

    @TempDir
    Path dir;
    private RangeHttpServer http;
    private CloseableHttpClient client;
    private InProcessSwarm swarm;
    private final List<EngineNode> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
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
    }

    private EngineNode node(EngineConfig config) {
        EngineNode n = new EngineNode(nodes.size() + 1, dir, null, config, swarm);
        nodes.add(n);
        return n;
    }

    private TaskRequest request(String path) {
        URI url = http.put(path, BLOB);
        return TaskRequest.of(TaskIds.taskId(url.toString()), url.toString(), new HttpRangeOrigin(client, url, Map.of()))
                .withPieceLength(PIECE);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static byte[] readAll(InputStream in) throws Exception {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void downloadsAMultiPieceBlobFromTheOriginByteIdenticalAndChecked() throws Exception {
        EngineNode a = node(EngineConfig.defaults());
        TaskRequest r = request("/blob").withExpectedSha256("sha256:" + sha256(BLOB));
        TaskDownload d = a.engine.download(r);
        assertEquals(BLOB.length, d.contentLength());
        assertEquals(PIECES, d.pieceCount());

        DownloadResult result = d.completion().get(20, TimeUnit.SECONDS);
        assertEquals(sha256(BLOB), result.sha256().orElseThrow());
        assertEquals(BLOB.length, result.bytes(PieceSource.BACK_TO_SOURCE));
        assertEquals(0, result.bytes(PieceSource.REMOTE_PEER));
        assertArrayEquals(BLOB, readAll(d.openStream(0, BLOB.length)));
        assertEquals(BLOB.length, http.bytesRequested(), "every byte asked of the origin once: " + http.ranges());
        assertTrue(http.pieceRequests() < PIECES, "consecutive pieces share a Range GET: " + http.ranges());
        assertEquals(BLOB.length, a.traffic(PieceSource.BACK_TO_SOURCE));
        assertEquals(PIECES, a.announcedToChildren.size(), "every stored piece told to the upload side");
        assertEquals(1, a.meters.get(EngineMetrics.TASK_TOTAL).counter().count());
        assertTrue(a.store.taskInfo(r.taskId()).orElseThrow().complete());
        assertTrue(a.engine.activeTasks().isEmpty());

        // a second download of the stored task reads nothing from the origin and counts LOCAL_PEER
        http.clearLog();
        DownloadResult again = a.engine.download(r).completion().get(10, TimeUnit.SECONDS);
        assertEquals(BLOB.length, again.bytes(PieceSource.LOCAL_PEER));
        assertEquals(0, http.pieceRequests());
        assertEquals(BLOB.length, a.traffic(PieceSource.LOCAL_PEER));
    }

    @Test
    void aWrongExpectedSha256FailsTypedAndDeletesTheTask() throws Exception {
        EngineNode a = node(EngineConfig.defaults());
        String wrong = "ab".repeat(32);
        TaskRequest r = request("/wrong").withExpectedSha256(wrong);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> a.engine.download(r).completion().get(20, TimeUnit.SECONDS));
        ContentDigestMismatchException m = assertInstanceOf(ContentDigestMismatchException.class, e.getCause());
        assertEquals(wrong, m.expected());
        assertEquals(sha256(BLOB), m.actual());
        assertEquals(r.taskId(), m.taskId());
        assertTrue(m.getMessage().contains(wrong) && m.getMessage().contains(sha256(BLOB)), m.getMessage());
        assertTrue(a.store.taskInfo(r.taskId()).isEmpty(), "task deleted");
        assertEquals(1, a.meters.get(EngineMetrics.TASK_FAILURE_TOTAL).counter().count());
        assertEquals(0, followers(a), "the task digest let go of the task");
    }

    @Test
    void anOriginReadRunsAtMostItsBoundAheadOfASlowLocalReader() throws Exception {
        EngineNode a = node(EngineConfig.defaults().withOriginAhead(4L * PIECE)); // 4 pieces ahead
        http.delay(5);
        TaskDownload d = a.engine.download(request("/paced"));
        try (InputStream in = d.openStream(0, BLOB.length)) {
            for (int k = 0; k < PIECES - 1; k++) {
                byte[] got = in.readNBytes(PIECE);
                assertArrayEquals(Arrays.copyOfRange(BLOB, k * PIECE, (k + 1) * PIECE), got, "piece " + k);
                Thread.sleep(150); // unbounded, the origin read would be done long before this reader
                int stored = a.store.storedPieces(d.taskId()).cardinality();
                assertTrue(stored <= k + 1 + 4, "read " + (k + 1) + " pieces, the store has " + stored);
            }
            in.readAllBytes();
        }
        d.completion().get(20, TimeUnit.SECONDS);
    }

    @Test
    void aReaderThatStopsReadingDoesNotHoldTheOriginReadBackForLong() throws Exception {
        EngineNode a = node(EngineConfig.defaults().withOriginAhead(4L * PIECE));
        TaskRequest r = request("/stopped").withExpectedSha256("sha256:" + sha256(BLOB));
        TaskDownload d = a.engine.download(r);
        try (InputStream in = d.openStream(0, BLOB.length)) {
            assertEquals(BLOB[0], (byte) in.read());
            // the reader has its next piece and does not move on: after 1 s it no longer counts
            DownloadResult result = d.completion().get(20, TimeUnit.SECONDS);
            assertEquals(sha256(BLOB), result.sha256().orElseThrow());
        }
    }

    /** In-order readers following a task in the node's store ({@code damselfly.piecestore.recent.followers}). */
    private static double followers(EngineNode n) {
        return n.meters.get("damselfly.piecestore.recent.followers").gauge().value();
    }

    @Test
    void streamsAndTheTaskDigestFollowTheTaskInTheStoreUntilTheyEnd() throws Exception {
        EngineNode a = node(EngineConfig.defaults().withConcurrency(8, 3));
        http.delay(30);
        TaskDownload d = a.engine.download(request("/follow").withExpectedSha256("sha256:" + sha256(BLOB)));
        InputStream whole = d.openStream(0, BLOB.length);
        PieceRegionStream second = d.openRegions(PIECE, PIECE);
        assertTrue(followers(a) >= 2, "two streams follow the task: " + followers(a));
        assertArrayEquals(Arrays.copyOfRange(BLOB, PIECE, 2 * PIECE), sendAll(second, new ArrayList<>()));
        assertArrayEquals(BLOB, readAll(whole));
        d.completion().get(20, TimeUnit.SECONDS);
        assertEquals(0, followers(a), "closed streams and the finished digest follow nothing");
        try (InputStream empty = d.openStream(3, 0)) {
            assertEquals(0, followers(a), "an empty range follows nothing");
            assertEquals(-1, empty.read());
        }
    }

    @Test
    void aRangeDownloadFetchesOnlyTheCoveringPiecesOnce() throws Exception {
        EngineNode a = node(EngineConfig.defaults());
        TaskRequest r = request("/range");
        long offset = 3L * PIECE + 100; // inside piece 3 …
        long length = 2L * PIECE;       // … to inside piece 5
        a.engine.ensureRange(r, offset, length);
        for (int n = 0; n < PIECES; n++) {
            assertEquals(n >= 3 && n <= 5, a.store.hasPiece(r.taskId(), n), "piece " + n);
        }
        assertEquals(3L * PIECE, http.bytesRequested(), http.ranges().toString());
        assertTrue(http.ranges().contains("bytes=" + 3L * PIECE + "-" + (4L * PIECE - 1)),
                "the first piece alone, then the others: " + http.ranges());
        long requests = http.pieceRequests();

        a.engine.ensureRange(r, offset + 10, 100); // already stored: nothing fetched
        assertEquals(requests, http.pieceRequests());

        // the last, short piece
        a.engine.ensureRange(r, BLOB.length - 10, 1000);
        assertTrue(a.store.hasPiece(r.taskId(), PIECES - 1));
        assertEquals(requests + 1, http.pieceRequests());
        assertEquals(3L * PIECE + BLOB.length - (PIECES - 1L) * PIECE, http.bytesRequested());
    }

    @Test
    void concurrentRangeRequestsForOnePieceCauseOneFetch() throws Exception {
        EngineNode a = node(EngineConfig.defaults());
        http.delay(150); // keeps the fetch in flight while the callers pile up
        TaskRequest other = request("/same-range");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long off = 5L * PIECE + i * 1000L;
                calls.add(pool.submit(() -> {
                    go.await();
                    a.engine.ensureRange(other, off, 500);
                    return null;
                }));
            }
            http.clearLog();
            go.countDown();
            for (Future<?> f : calls) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long piece5 = http.ranges().stream().filter(("bytes=" + 5L * PIECE + "-" + (6L * PIECE - 1))::equals).count();
        assertEquals(1, piece5, http.ranges().toString());
    }

    @Test
    void theBackToSourceRateLimitSlowsOriginReads() throws Exception {
        long rate = 512 << 10; // 512 KiB/s; the bucket starts with one second's worth
        EngineNode a = node(EngineConfig.defaults().withRateLimits(0, rate));
        TaskRequest r = request("/slow");
        long t0 = System.nanoTime();
        a.engine.download(r).completion().get(30, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double floor = (BLOB.length - rate) / (double) rate; // ≈ 1.1 s for 1.06 MiB
        assertTrue(seconds >= floor * 0.9, "took " + seconds + " s, the limit allows no less than " + floor + " s");

        EngineNode b = node(EngineConfig.defaults());
        long t1 = System.nanoTime();
        b.engine.download(request("/fast")).completion().get(30, TimeUnit.SECONDS);
        double unlimited = (System.nanoTime() - t1) / 1e9;
        assertTrue(unlimited < seconds, "unlimited " + unlimited + " s vs limited " + seconds + " s");
    }

    @Test
    void originRangesRampUpSoTheFirstPieceHasTheOriginToItselfThenConsecutivePiecesShareGets() throws Exception {
        EngineNode a = node(EngineConfig.defaults().withConcurrency(8, 8));
        http.delay(30);
        a.engine.download(request("/ramp")).completion().get(30, TimeUnit.SECONDS);
        List<String> gets = http.ranges().stream().filter(r -> !r.equals("bytes=0-0")).toList();
        List<Integer> atArrival = http.piecesInFlightAtArrival();
        assertEquals("bytes=0-" + (PIECE - 1), gets.get(0), "piece 0 alone first: " + gets);
        assertEquals(1, atArrival.get(1), "the next GET once piece 0 is stored: " + atArrival);
        assertEquals(BLOB.length, http.bytesRequested(), "every byte once: " + gets);
        long longest = gets.stream().mapToLong(r -> {
            String[] ends = r.substring("bytes=".length()).split("-");
            return Long.parseLong(ends[1]) - Long.parseLong(ends[0]) + 1;
        }).max().orElse(0);
        assertEquals((long) TaskRun.ORIGIN_RUN_PIECES * PIECE, longest, "a GET covers up to 4 pieces: " + gets);
        assertTrue(atArrival.stream().mapToInt(Integer::intValue).max().orElse(0) >= 2,
                "8 pieces in flight are two GETs at once: " + atArrival);
    }

    @Test
    void downloadingTheSameTaskTwiceJoinsOneDownload() throws Exception {
        EngineNode a = node(EngineConfig.defaults().withConcurrency(8, 2));
        http.delay(20);
        TaskRequest r = request("/join");
        TaskDownload first = a.engine.download(r);
        TaskDownload second = a.engine.download(r);
        CompletableFuture<DownloadResult> f1 = first.completion();
        CompletableFuture<DownloadResult> f2 = second.completion();
        DownloadResult r1 = f1.get(30, TimeUnit.SECONDS);
        DownloadResult r2 = f2.get(30, TimeUnit.SECONDS);
        assertSame(r1, r2, "one node-wide download");
        assertEquals(BLOB.length, http.bytesRequested(), http.ranges().toString());
        assertEquals(1, http.ranges().stream().filter("bytes=0-0"::equals).count(), "one length lookup");
        assertEquals(1, a.meters.get(EngineMetrics.TASK_TOTAL).counter().count());
    }

    @Test
    void aStreamYieldsTheBytesInOrderWhileTheDownloadRuns() throws Exception {
        EngineNode a = node(EngineConfig.defaults().withConcurrency(8, 3));
        http.delay(30);
        TaskDownload d = a.engine.download(request("/stream"));
        byte[] middle = readAll(d.openStream(PIECE - 7, 5L * PIECE));
        byte[] expected = new byte[5 * PIECE];
        System.arraycopy(BLOB, PIECE - 7, expected, 0, expected.length);
        assertArrayEquals(expected, middle);
        assertArrayEquals(BLOB, readAll(d.openStream(0, BLOB.length)));
        d.piece(PIECES - 1).get(10, TimeUnit.SECONDS);
    }

    @Test
    void regionsYieldTheSameBytesAsTheStreamOnePerCoveringPieceWhileTheDownloadRuns() throws Exception {
        EngineNode a = node(EngineConfig.defaults().withConcurrency(8, 3));
        http.delay(30);
        TaskDownload d = a.engine.download(request("/regions"));
        long offset = PIECE - 7;
        int length = 5 * PIECE;
        List<Long> counts = new ArrayList<>();
        byte[] middle = sendAll(d.openRegions(offset, length), counts);
        assertArrayEquals(Arrays.copyOfRange(BLOB, (int) offset, (int) offset + length), middle);
        assertEquals(List.of(7L, (long) PIECE, (long) PIECE, (long) PIECE, (long) PIECE, PIECE - 7L), counts,
                "one region per covering piece, sliced at the range's ends");
        counts.clear();
        assertArrayEquals(BLOB, sendAll(d.openRegions(0, BLOB.length), counts));
        assertEquals(PIECES, counts.size());
        assertThrows(IllegalArgumentException.class, () -> d.openRegions(1, BLOB.length));
        d.completion().get(10, TimeUnit.SECONDS);
    }

    /** Sends every region of the stream into memory the way a socket gets it (transferTo), releasing each. */
    private static byte[] sendAll(PieceRegionStream regions, List<Long> counts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel sink = Channels.newChannel(out);
        try (regions) {
            for (var region = regions.next(); region != null; region = regions.next()) {
                counts.add(region.count());
                try {
                    while (region.transferred() < region.count()) {
                        region.transferTo(sink, region.transferred());
                    }
                } finally {
                    region.release();
                }
            }
        }
        return out.toByteArray();
    }

    @Test
    void withoutASchedulerAndWithBackToSourceDisabledTheDownloadFailsTyped() {
        EngineNode a = node(EngineConfig.defaults().withBackToSourceEnabled(false));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> a.engine.download(request("/nobts")).completion().get(10, TimeUnit.SECONDS));
        assertInstanceOf(BackToSourceDisabledException.class, e.getCause());
        assertEquals(0, http.pieceRequests());
    }

    @Test
    void anUnreachableOriginFailsTheLengthLookupTyped() {
        EngineNode a = node(EngineConfig.defaults());
        URI missing = URI.create(http.put("/x", BLOB).resolve("/missing").toString());
        TaskRequest r = TaskRequest.of(TaskIds.taskId(missing.toString()), missing.toString(),
                new HttpRangeOrigin(client, missing, Map.of()));
        OriginUnavailableException e = assertThrows(OriginUnavailableException.class, () -> a.engine.download(r));
        assertEquals(-1, e.pieceNumber());
        assertInstanceOf(OriginResponseException.class, e.getCause());
        assertEquals(404, ((OriginResponseException) e.getCause()).status());
    }
}
