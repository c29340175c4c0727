package dev.damselfly.exchange.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.exchange.vortex.UploadFaults;
import dev.damselfly.testkit.image.DeterministicBytes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A child whose only parent answers every request "busy" (its upload slots never free up) keeps asking the scheduler
 * for other parents after its regular top-ups are spent, every 5 s without a piece, on the real wire with the real
 * embedded scheduler. (In a cluster run one node became every child's parent; children that had spent their top-ups
 * waited on it for minutes, silently.)
 */
class StarvingChildTest extends WireLabTest {
    private static final int PIECE = 64 << 10;
    private static final byte[] BLOB = DeterministicBytes.bytes(53, 8 * PIECE);

    @Test
    void aChildStarvedByABusyParentAsksForOthersAfterItsTopUps() throws Exception {
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60));
        WireNode busy = lab.node("busy", config, 1_000_000_000L, UploadFaults.busyForever(), null, u -> u);
        WireNode child = lab.node("child", config, 1_000_000_000L, UploadFaults.NONE, null, u -> u);
        TaskRequest r = lab.request("/starving", BLOB, PIECE);
        busy.engine.download(r).completion().get(30, TimeUnit.SECONDS);
        long originPieces = lab.http.pieceRequests();

        CompletableFuture<DownloadResult> done = child.engine.download(r).completion();
        // regular top-ups after 1, 2 and 4 s (fewer than 6 parents), then one more request once 5 s pass without a
        // piece while the parent answers busy
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        while (lab.scheduler.scheduling().topUpDecisions() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long asked = lab.scheduler.scheduling().topUpDecisions();
        assertTrue(asked >= 4, "the starving child asked again after its 3 top-ups: " + asked);
        assertFalse(done.isDone(), "no other parent exists, so it is still waiting: " + done);
        assertEquals(originPieces, lab.http.pieceRequests(), "busy answers never send the child to the origin");
    }
}
