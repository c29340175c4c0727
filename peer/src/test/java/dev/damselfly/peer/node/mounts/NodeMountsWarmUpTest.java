package dev.damselfly.peer.node.mounts;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's start-up mount warm-up waits while the node downloads, runs once it stops, and never delays shutdown. */
class NodeMountsWarmUpTest {
    @TempDir
    Path dir;

    private NodeMounts mounts(AtomicBoolean downloading) {
        return new NodeMounts(dir.resolve("mounts"), ref -> {
            throw new AssertionError("no mount in this test");
        }, new SimpleMeterRegistry(), () -> false, downloading::get);
    }

    @Test
    void waitsWhileDownloadsRunThenWarmsUp() throws Exception {
        AtomicBoolean downloading = new AtomicBoolean(true);
        try (NodeMounts mounts = mounts(downloading)) {
            Thread.sleep(4 * NodeMounts.WARM_UP_QUIET_POLL_MILLIS);
            assertFalse(mounts.warmUpStarted(), "no warm-up while the node downloads");
            assertFalse(Files.exists(dir.resolve("mount-warm-up")), "nothing written while waiting");
            downloading.set(false);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!mounts.warmUpStarted() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(mounts.warmUpStarted(), "the warm-up starts once the downloads are over");
            awaitDone(mounts);
        }
    }

    @Test
    void aDownloadThatStartsDuringTheWarmUpPausesItBeforeItsNextStep() throws Exception {
        AtomicBoolean downloading = new AtomicBoolean(false);
        try (NodeMounts mounts = mounts(downloading)) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!mounts.warmUpStarted() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            downloading.set(true); // the first step (libfuse's binding) takes far longer than this poll
            assertTrue(mounts.warmUpStarted());
            Thread.sleep(4 * NodeMounts.WARM_UP_QUIET_POLL_MILLIS);
            assertFalse(mounts.warmUpDone(), "the warm-up waits while the node downloads");
            assertFalse(Files.exists(dir.resolve("mount-warm-up")), "its last step (a loopback registry) has not begun");
            downloading.set(false);
            awaitDone(mounts);
        }
    }

    private static void awaitDone(NodeMounts mounts) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!mounts.warmUpDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(mounts.warmUpDone(), "the warm-up ends once the node is quiet");
    }

    @Test
    void aNodeThatStopsWhileDownloadingSkipsTheWarmUpAtOnce() {
        AtomicBoolean downloading = new AtomicBoolean(true);
        NodeMounts mounts = mounts(downloading);
        long t0 = System.nanoTime();
        mounts.close();
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(tookMillis < 2 * NodeMounts.WARM_UP_QUIET_POLL_MILLIS, "close took " + tookMillis + " ms");
        assertFalse(mounts.warmUpStarted());
    }
}
