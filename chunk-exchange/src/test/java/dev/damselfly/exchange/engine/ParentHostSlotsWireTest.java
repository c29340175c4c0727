package dev.damselfly.exchange.engine;

import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.image.DeterministicBytes;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A child downloading several tasks at once from one parent asks that parent's host for at most
 * {@link ParentHostSlots#PER_HOST_IN_FLIGHT} pieces at a time, all tasks together: a parent whose upload cap is that
 * number (almost) never has to refuse it as busy. (A cluster run of 8 nodes pulling 4 layers each showed 15,800 busy refusals
 * for 1,800 pieces served: every task asked every parent for 3 pieces on its own.)
 */
class ParentHostSlotsWireTest extends WireLabTest {
    private static final int PIECE = 64 << 10;
    private static final int PIECES = 32;
    private static final int TASKS = 4;

    @Test
    void fourTasksFromOneParentStayWithinItsUploadCap() throws Exception {
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60));
        // as many uploads at once as one host may be asked for, 4 MiB/s: transfers overlap for the whole download
        WireNode parent = lab.node("parent", config, u -> u.withMaxConcurrentUploads(ParentHostSlots.PER_HOST_IN_FLIGHT).withUploadRateLimit(4L << 20));
        WireNode child = lab.node("child", config);
        List<TaskRequest> requests = new ArrayList<>();
        List<byte[]> blobs = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            byte[] blob = DeterministicBytes.bytes(40 + t, PIECES * PIECE);
            TaskRequest r = lab.request("/layer-" + t, blob, PIECE);
            parent.engine.download(r).completion().get(30, TimeUnit.SECONDS);
            requests.add(r);
            blobs.add(blob);
        }
        long originPieces = lab.http.pieceRequests();

        List<CompletableFuture<DownloadResult>> downloads = new ArrayList<>();
        for (TaskRequest r : requests) {
            downloads.add(child.engine.download(r).completion());
        }
        for (int t = 0; t < TASKS; t++) {
            DownloadResult result = downloads.get(t).get(60, TimeUnit.SECONDS);
            assertEquals(blobs.get(t).length, result.bytes(PieceSource.REMOTE_PEER), result.bytesBySource().toString());
            assertArrayEquals(blobs.get(t), readAll(child.engine.download(requests.get(t)).openStream(0,
                    blobs.get(t).length)));
        }

        Counter busy = parent.uploadMeters.find("dragonfly.client.upload.piece.failure.total").tag("reason", "busy")
                .counter();
        // The parent frees an upload slot when its write completes, on its event loop; the child may have read the
        // piece and sent its next request (a new connection) just before that, so a refusal now and then is a race
        // no window avoids. Without the host bound the child is refused 73 to 88 times for these 128 pieces.
        double refused = busy == null ? 0 : busy.count();
        assertTrue(refused <= TASKS * PIECES / 32.0, refused + " busy refusals for " + TASKS * PIECES + " pieces");
        assertEquals(originPieces, lab.http.pieceRequests(), "the origin saw no request from the child");
        awaitNoHostTracked(child.engine.parentHosts(), "every slot given back once the pieces were served");
    }

    /** A task that ends with pieces in flight (here: its engine closes) still gives their host slots back. */
    @Test
    void aTaskEndedWithPiecesInFlightGivesItsHostSlotsBack() throws Exception {
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60));
        // 1 MiB/s: each 64 KiB piece takes about 60 ms alone, so pieces are in flight for about a second
        WireNode parent = lab.node("parent", config, u -> u.withUploadRateLimit(1L << 20));
        WireNode child = lab.node("child", config);
        byte[] blob = DeterministicBytes.bytes(50, PIECES * PIECE);
        TaskRequest r = lab.request("/layer-ended", blob, PIECE);
        parent.engine.download(r).completion().get(30, TimeUnit.SECONDS);

        TaskDownload download = child.engine.download(r);
        CompletableFuture<DownloadResult> completion = download.completion();
        // watched from the start (a loaded machine once looked only after the whole download had finished)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (child.engine.parentHosts().tracked() == 0 && !completion.isDone() && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        assertTrue(child.engine.parentHosts().tracked() > 0, "pieces are in flight from the parent's host");
        child.engine.close();

        assertTrue(completion.isCompletedExceptionally(), "the task ended before its last piece");
        awaitNoHostTracked(child.engine.parentHosts(), "the ended task's pieces in flight gave their slots back");
    }

    private static void awaitNoHostTracked(ParentHostSlots slots, String why) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (slots.tracked() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertEquals(0, slots.tracked(), why);
    }
}
