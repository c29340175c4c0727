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
 * for other parents after its quick top-ups, every 5 s without a piece (sooner than its 8 s periodic top-ups), on the
 * real wire with the real embedded scheduler. (In a cluster run one node became every child's parent; children that
 * had spent their top-ups waited on it for minutes, silently.)
 */
class StarvingChildTest extends WireLabTest {
    private static final int PIECE = 64 << 10;
    private static final byte[] BLOB = DeterministicBytes.bytes(53, 8 * PIECE);

    @Test
    void aChildStarvedByABusyParentAsksForOthersAfterItsTopUps() throws Exception {
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60));
        WireNode busy = lab.node("busy", config, 1_000_000_000L, UploadFaults.busyForever(), null, u -> u);
        WireNode child = lab.node("child", config);
        TaskRequest r = lab.request("/starving", BLOB, PIECE);
        busy.engine.download(r).completion().get(30, TimeUnit.SECONDS);
        long originPieces = lab.http.pieceRequests();

        CompletableFuture<DownloadResult> done = child.engine.download(r).completion();
        // quick top-ups after 1, 2 and 4 s (fewer than 6 parents), then one more request once 5 s pass without a
        // piece while the parent answers busy: sooner than the next periodic top-up, 8 s after the last answer
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        while (lab.scheduler.scheduling().topUpDecisions() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long third = System.nanoTime();
        assertEquals(3, lab.scheduler.scheduling().topUpDecisions(), "three quick top-ups");
        while (lab.scheduler.scheduling().topUpDecisions() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long asked = lab.scheduler.scheduling().topUpDecisions();
        long afterThird = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - third);
        assertTrue(asked >= 4, "the starving child asked again after its 3 top-ups: " + asked);
        assertTrue(afterThird < 7_000, "asked because it starved (5 s), not on the 8 s period: " + afterThird + " ms");
        assertFalse(done.isDone(), "no other parent exists, so it is still waiting: " + done);
        assertEquals(originPieces, lab.http.pieceRequests(), "busy answers never send the child to the origin");
    }
}
