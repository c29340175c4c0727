package dev.damselfly.exchange.engine;

import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.image.DeterministicBytes;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A parent at its upload cap answers "busy" (Vortex Error, code INTERNAL): on the real wire, the child backs off and
 * asks again, never drops the parent for it and never sends those pieces to the origin. (A cluster run showed
 * children treating "busy" as a failure: parents dropped after three answers and 2-3× the image fetched from the
 * registry.)
 */
class BusyParentTest extends WireLabTest {
    private static final int PIECE = 64 << 10;
    private static final int PIECES = 48;
    private static final byte[] BLOB = DeterministicBytes.bytes(31, PIECES * PIECE);

    @Test
    void aParentAtItsUploadCapIsWaitedForNotDroppedAndTheOriginIsNotUsed() throws Exception {
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60));
        // one upload at a time, 2 MiB/s: a child asking for several pieces at once hears "busy" for most of them
        WireNode parent = lab.node("parent", config, u -> u.withMaxConcurrentUploads(1).withUploadRateLimit(2L << 20));
        WireNode child = lab.node("child", config);
        TaskRequest r = lab.request("/busy", BLOB, PIECE);
        parent.engine.download(r).completion().get(30, TimeUnit.SECONDS);
        long originPieces = lab.http.pieceRequests();

        DownloadResult result = child.engine.download(r).completion().get(60, TimeUnit.SECONDS);

        Counter busy = parent.uploadMeters.find("dragonfly.client.upload.piece.failure.total").tag("reason", "busy")
                .counter();
        double busyAnswers = busy == null ? 0 : busy.count();
        assertTrue(busyAnswers >= 1, "the parent refused some requests as busy (else this test proves nothing)");
        assertEquals(BLOB.length, result.bytes(PieceSource.REMOTE_PEER), result.bytesBySource().toString());
        assertEquals(0, result.bytes(PieceSource.BACK_TO_SOURCE), "busy answers never send pieces to the origin");
        assertEquals(originPieces, lab.http.pieceRequests(), "the origin saw no request from the child");
        assertArrayEquals(BLOB, readAll(child.engine.download(r).openStream(0, BLOB.length)));
    }
}
