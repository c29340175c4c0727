package dev.damselfly.exchange.engine;

import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.image.DeterministicBytes;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * First copies first, on the real wire: a source that deflects requests for pieces it is sending, or has sent, to
 * another child while it sends other pieces. Two children pulling from it at once hear "repeat" answers, never treat
 * them as failures (no origin, no dropped parent), take the deflected pieces from each other, and both complete.
 */
class RepeatDeflectionTest extends WireLabTest {
    private static final int PIECE = 64 << 10;
    private static final int PIECES = 64;
    private static final byte[] BLOB = DeterministicBytes.bytes(43, PIECES * PIECE);

    @Test
    void childrenDeflectedByTheSourceTakeThosePiecesFromEachOtherAndComplete() throws Exception {
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(60));
        // the source sends at 1 MiB/s, so each child's 4 MiB takes seconds; it deflects repeats for a minute
        WireNode source = lab.node("source", config,
                u -> u.withUploadRateLimit(1L << 20).withRepeatHold(Duration.ofMinutes(1)));
        WireNode first = lab.node("first", config);
        WireNode second = lab.node("second", config);
        TaskRequest r = lab.request("/repeat", BLOB, PIECE);
        source.engine.download(r).completion().get(30, TimeUnit.SECONDS);
        long originPieces = lab.http.pieceRequests();

        CompletableFuture<DownloadResult> firstDone = first.engine.download(r).completion();
        CompletableFuture<DownloadResult> secondDone = second.engine.download(r).completion();
        DownloadResult a = firstDone.get(60, TimeUnit.SECONDS);
        DownloadResult b = secondDone.get(60, TimeUnit.SECONDS);

        Counter repeats = source.uploadMeters.find("dragonfly.client.upload.piece.failure.total")
                .tag("reason", "repeat").counter();
        assertTrue(repeats != null && repeats.count() >= 1, "the source deflected repeats (else this proves nothing)");
        assertEquals(originPieces, lab.http.pieceRequests(), "a deflected piece never goes to the origin");
        assertEquals(BLOB.length, a.bytes(PieceSource.REMOTE_PEER), a.bytesBySource().toString());
        assertEquals(BLOB.length, b.bytes(PieceSource.REMOTE_PEER), b.bytesBySource().toString());
        assertTrue(first.upload.uploadedBytes() + second.upload.uploadedBytes() > 0,
                "the children passed pieces to each other");
        assertTrue(source.upload.uploadedBytes() < 2L * BLOB.length, "the source sent fewer than two copies of each"
                + " piece: " + source.upload.uploadedBytes() + " bytes for " + BLOB.length);
        for (WireNode n : List.of(first, second)) {
            assertArrayEquals(BLOB, readAll(n.engine.download(r).openStream(0, BLOB.length)));
        }
    }
}
