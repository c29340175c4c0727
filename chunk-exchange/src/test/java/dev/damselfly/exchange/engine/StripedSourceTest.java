package dev.damselfly.exchange.engine;

import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.image.DeterministicBytes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Striped back-to-source on the real wire, under the real embedded scheduler: a node reading two tasks from a slow
 * origin link is joined by a node reading nothing; that node's top-up makes it a second reader of one task, reading
 * from the far end while the first reads from the start, and each takes the other's pieces from it. The origin sends
 * the task about once in all.
 */
class StripedSourceTest extends WireLabTest {
    private static final int PIECE = 64 << 10;
    /**
     * Pieces per task: 96, so that the first reader is far from the second's end of the task when it hears of it
     * (its top-ups come every 2 s while it has no parent, and meanwhile both read).
     */
    private static final int PIECES = 96;
    private static final byte[] STRIPED = DeterministicBytes.bytes(71, PIECES * PIECE);
    /** The first node's other task: 32 pieces, still being read when the second node's top-up comes. */
    private static final byte[] OTHER = DeterministicBytes.bytes(72, 32 * PIECE);
    /**
     * Between the first node's two downloads, ms (300): the striped task registers first and reads from the origin at
     * once; the other waits out the scheduler's hand-off window (the second node's host reads nothing yet).
     */
    private static final long ORDER_MILLIS = 300;
    /** Each node's origin link, bytes/s: 384 KiB/s, 6 pieces a second. */
    private static final long ORIGIN_RATE = 384L << 10;

    private static final EngineConfig CONFIG = EngineConfig.defaults().withDirectOriginThreshold(0)
            .withRateLimits(0, ORIGIN_RATE).withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(20),
                    Duration.ofSeconds(60));

    @Test
    void aChildStripesATaskWhoseReaderAlsoReadsAnotherAndBothReadEachPieceAboutOnce() throws Exception {
        EngineConfig config = CONFIG;
        WireNode first = lab.node("first", config);
        WireNode second = lab.node("second", config);
        TaskRequest striped = lab.request("/striped", STRIPED, PIECE);
        TaskRequest other = lab.request("/other", OTHER, PIECE);

        CompletableFuture<DownloadResult> firstStriped = first.engine.download(striped).completion();
        Thread.sleep(ORDER_MILLIS);
        CompletableFuture<DownloadResult> firstOther = first.engine.download(other).completion();
        Thread.sleep(1000);
        DownloadResult b = second.engine.download(striped).completion().get(60, TimeUnit.SECONDS);
        DownloadResult a = firstStriped.get(60, TimeUnit.SECONDS);
        firstOther.get(60, TimeUnit.SECONDS);

        long fromOrigin = a.bytes(PieceSource.BACK_TO_SOURCE) + b.bytes(PieceSource.BACK_TO_SOURCE);
        String counts = "first " + a.bytesBySource() + ", second " + b.bytesBySource();
        assertTrue(b.bytes(PieceSource.BACK_TO_SOURCE) >= 8L * PIECE, "the second node read a stripe: " + counts);
        assertTrue(a.bytes(PieceSource.REMOTE_PEER) >= 4L * PIECE, "the first took the stripe from it: " + counts);
        assertTrue(fromOrigin <= STRIPED.length + 4L * PIECE, "the origin sent each piece about once (at most 4 of "
                + PIECES + " twice): " + counts);
        assertArrayEquals(STRIPED, readAll(first.engine.download(striped).openStream(0, STRIPED.length)));
        assertArrayEquals(STRIPED, readAll(second.engine.download(striped).openStream(0, STRIPED.length)));
        assertArrayEquals(OTHER, readAll(first.engine.download(other).openStream(0, OTHER.length)));
    }

    @Test
    void theSecondReaderFinishesAloneWhenTheFirstDies() throws Exception {
        WireNode first = lab.node("first", CONFIG);
        WireNode second = lab.node("second", CONFIG);
        TaskRequest striped = lab.request("/striped", STRIPED, PIECE);
        TaskRequest other = lab.request("/other", OTHER, PIECE);
        first.engine.download(striped).completion();
        Thread.sleep(ORDER_MILLIS);
        first.engine.download(other).completion();
        Thread.sleep(1000);
        CompletableFuture<DownloadResult> secondDone = second.engine.download(striped).completion();
        Thread.sleep(3000); // the second node's first top-up (1 s after it registered) striped the task
        lab.closeNode(first);

        DownloadResult b = secondDone.get(60, TimeUnit.SECONDS);
        assertTrue(b.bytes(PieceSource.BACK_TO_SOURCE) >= 8L * PIECE && b.bytes(PieceSource.REMOTE_PEER) > 0,
                "it took pieces from the first and read a stripe: " + b.bytesBySource());
        assertArrayEquals(STRIPED, readAll(second.engine.download(striped).openStream(0, STRIPED.length)));
    }
}
