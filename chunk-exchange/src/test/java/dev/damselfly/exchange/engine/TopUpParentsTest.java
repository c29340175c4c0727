package dev.damselfly.exchange.engine;

import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.image.DeterministicBytes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A child with fewer than 6 parents asks the scheduler for more after 1 s (a top-up), keeping the ones it has: on the
 * real wire with the real embedded scheduler, the top-ups are answered, nobody is sent back to source, no answer
 * counts toward the schedule limit, and both children complete from peers. A child still short of parents keeps
 * asking every 8 s, so a peer that started later (a rolling update) becomes its parent too: the embedded scheduler's
 * peers form a mesh, where a later peer may serve an earlier one.
 */
class TopUpParentsTest extends WireLabTest {
    private static final int PIECE = 64 << 10;
    private static final int PIECES = 64;
    private static final byte[] BLOB = DeterministicBytes.bytes(41, PIECES * PIECE);

    /** A node whose uploads run at 1 MiB/s, so a download from one parent takes seconds. */
    private WireNode node(String name) {
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(60));
        return lab.node(name, config, u -> u.withUploadRateLimit(1L << 20));
    }

    @Test
    void aPeerThatStartedLaterBecomesAParentOfAnEarlierOne() throws Exception {
        // 3 MiB from a source uploading 128 KiB/s: about 24 s in all, since every piece leaves the source once
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(60));
        WireNode source = lab.node("slow-source", config, u -> u.withUploadRateLimit(128L << 10));
        WireNode early = node("early");
        WireNode late = node("late");
        byte[] blob = DeterministicBytes.bytes(43, 48 * PIECE);
        TaskRequest r = lab.request("/rolling", blob, PIECE);
        source.engine.download(r).completion().get(30, TimeUnit.SECONDS);

        // "early" gets the source as its one parent and spends its quick top-ups (after 1, 2 and 4 s) while no other
        // peer exists; "late" starts after them, takes the pieces "early" lacks first (rarest first), and is offered
        // to "early" by its next top-up, 8 s after the last
        CompletableFuture<DownloadResult> earlyDone = early.engine.download(r).completion();
        Thread.sleep(8_000);
        CompletableFuture<DownloadResult> lateDone = late.engine.download(r).completion();
        earlyDone.get(90, TimeUnit.SECONDS);
        lateDone.get(90, TimeUnit.SECONDS);

        assertTrue(early.trackedParentHosts.contains(late.hostId()), "the later peer became a parent of the earlier");
        assertTrue(late.upload.uploadedBytes() > 0, "the later peer served the earlier one (the only other downloader)");
        assertEquals(1, lab.scheduler.scheduling().backToSourceDecisions(), "only the source went to the origin");
        for (WireNode n : List.of(early, late)) {
            assertArrayEquals(blob, readAll(n.engine.download(r).openStream(0, blob.length)));
        }
    }

    @Test
    void topUpsAnsweredWithTheSameParentDoNotKeepUnannouncedPiecesFromTheOrigin() throws Exception {
        // collectedPieceTimeout 10 s, longer than the 8 s top-up period: each top-up answered with the same parent
        // used to restart that wait, so the pieces no parent had never went to the origin
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(60));
        WireNode partial = lab.node("partial", config);
        WireNode child = lab.node("child", config);
        byte[] blob = DeterministicBytes.bytes(47, 16 * PIECE);
        TaskRequest r = lab.request("/partial", blob, PIECE);
        partial.engine.ensureRange(r, 0, 4L * PIECE); // pieces 0-3 only; its range session stays open for 60 s
        long originPieces = lab.http.pieceRequests();

        long t0 = System.nanoTime();
        DownloadResult done = child.engine.download(r).completion().get(40, TimeUnit.SECONDS);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);

        assertTrue(lab.scheduler.scheduling().topUpDecisions() >= 3, "the child topped up while it waited");
        assertEquals(4L * PIECE, done.bytes(PieceSource.REMOTE_PEER), "pieces 0-3 from the partial parent");
        assertEquals(12L * PIECE, done.bytes(PieceSource.BACK_TO_SOURCE), "pieces 4-15 from the origin");
        assertTrue(lab.http.pieceRequests() > originPieces, "the child fetched from the origin");
        assertTrue(seconds >= 9, "the child waited out collectedPieceTimeout first: " + seconds + " s");
        // without the fix, the top-ups restarted the wait until the parent's SyncPieces stream timed out (30 s)
        assertTrue(seconds < 20, "and no longer than that: " + seconds + " s");
        assertArrayEquals(blob, readAll(child.engine.download(r).openStream(0, blob.length)));
    }

    @Test
    void childrenWithFewParentsTopUpAndStayInTheSwarm() throws Exception {
        WireNode source = node("source");
        WireNode first = node("first");
        WireNode second = node("second");
        TaskRequest r = lab.request("/top-up", BLOB, PIECE);
        source.engine.download(r).completion().get(30, TimeUnit.SECONDS);
        long originPieces = lab.http.pieceRequests();

        // "first" registers while only the source has pieces: its one parent is the source; "second" registers next
        // and gets the source and "first"; both have fewer than 6 parents and top up after 1 s (the downloads take
        // about 4 s at the parents' 1 MiB/s)
        CompletableFuture<DownloadResult> firstDone = first.engine.download(r).completion();
        Thread.sleep(300);
        CompletableFuture<DownloadResult> secondDone = second.engine.download(r).completion();
        DownloadResult a = firstDone.get(60, TimeUnit.SECONDS);
        DownloadResult b = secondDone.get(60, TimeUnit.SECONDS);

        assertEquals(originPieces, lab.http.pieceRequests(), "the children used no origin");
        assertEquals(BLOB.length, a.bytes(PieceSource.REMOTE_PEER));
        assertEquals(BLOB.length, b.bytes(PieceSource.REMOTE_PEER));
        assertTrue(lab.scheduler.scheduling().topUpDecisions() >= 2, "both children topped up: "
                + lab.scheduler.scheduling().topUpDecisions());
        assertEquals(1, lab.scheduler.scheduling().backToSourceDecisions(), "only the source went to the origin");
        assertTrue(second.trackedParentHosts.contains(first.hostId()), "the later child uses the earlier one");
        assertTrue(first.upload.uploadedBytes() > 0, "the first child uploaded pieces to the second");
        for (WireNode n : List.of(first, second)) {
            assertArrayEquals(BLOB, readAll(n.engine.download(r).openStream(0, BLOB.length)));
        }
    }
}
