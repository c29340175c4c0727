package dev.damselfly.peer.cli.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.copy.CopyListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TerminalProgressTest {
    private static final long MS = 1_000_000L;
    private static final String ESC = "\u001b[";

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong();
    private final TerminalProgress progress = new TerminalProgress(new PrintStream(screen, true, StandardCharsets.UTF_8),
            100, now::get);

    private static Descriptor blob(int seed, long size) {
        return new Descriptor("application/octet-stream", Digest.sha256(new byte[] {(byte) seed}), size);
    }

    private String output() {
        return screen.toString(StandardCharsets.UTF_8);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void redrawsInPlaceAtMostTenTimesASecond() {
        Descriptor a = blob(1, 1000);
        Descriptor b = blob(2, 10);
        progress.planned(List.of(a, b));
        assertEquals(1, progress.frames());
        assertTrue(output().startsWith("\r" + ESC + "2K" + "sha256:" + a.digest().shortHex() + " waiting\n"), output());

        progress.blobStarted(a);
        for (int i = 0; i < 100; i++) {
            now.addAndGet(MS); // 100 events over 100 ms
            progress.blobProgress(a, 10);
        }
        assertEquals(2, progress.frames(), "one more frame once 100 ms had passed");
        progress.blobFinished(a, CopyListener.BlobOutcome.COPIED);
        progress.blobStarted(b);
        progress.blobFinished(b, CopyListener.BlobOutcome.ALREADY_PRESENT);
        assertEquals(2, progress.frames(), "events within 100 ms of the last frame are not drawn");
        progress.finish();
        assertEquals(3, progress.frames());

        String out = output();
        assertEquals(3, count(out, ESC + "J"), out);
        // Frames 2 and 3 each start by moving up over the 3 lines (2 blobs + summary) of the previous one.
        assertEquals(2, count(out, ESC + "3A"), out);
        String lastFrame = out.substring(out.lastIndexOf(ESC + "3A"));
        assertTrue(lastFrame.contains("sha256:" + a.digest().shortHex() + " copied  1000 B\n"), lastFrame);
        assertTrue(lastFrame.contains("sha256:" + b.digest().shortHex() + " exists  10 B\n"), lastFrame);
        assertTrue(lastFrame.contains("2/2 blobs  1010 B / 1010 B"), lastFrame);
    }

    @Test
    void blobsThatWereNotPlannedStillShowUp() {
        Descriptor a = blob(3, 5);
        progress.blobStarted(a);
        progress.blobFinished(a, CopyListener.BlobOutcome.MOUNTED);
        progress.finish();
        assertTrue(output().contains("sha256:" + a.digest().shortHex() + " mounted 5 B"), output());
    }

    @Test
    void concurrentEventsAreCountedExactly() throws Exception {
        List<Descriptor> blobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            blobs.add(blob(10 + i, 100_000));
        }
        progress.planned(blobs);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (Descriptor d : blobs) {
            futures.add(pool.submit(() -> {
                progress.blobStarted(d);
                for (int i = 0; i < 1000; i++) {
                    now.addAndGet(MS / 10);
                    progress.blobProgress(d, 100);
                }
                progress.blobFinished(d, CopyListener.BlobOutcome.COPIED);
            }));
        }
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        progress.finish();
        String out = output();
        String lastFrame = out.substring(out.lastIndexOf(ESC + "9A"));
        assertTrue(lastFrame.contains("8/8 blobs  781.3 KiB / 781.3 KiB"), lastFrame);
        assertTrue(progress.frames() <= 2 + 800 / 100 + 1, "frames: " + progress.frames());
    }
}
