package dev.damselfly.exchange.engine;

import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.exchange.ParentEndpoint;
import dev.damselfly.exchange.ParentLoad;
import dev.damselfly.exchange.upload.SyncHostClient;
import dev.damselfly.exchange.vortex.UploadFaults;
import dev.damselfly.testkit.image.DeterministicBytes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spec §2.4 parent weighting end to end on the real wire: a real embedded scheduler, real upload servers (SyncPieces,
 * SyncHost, Vortex on loopback), real piece stores, and engines over the real SyncPieces, Vortex and SyncHost clients.
 * Two parents hold a task; the child takes its 64 pieces in proportion to their free upload bandwidth.
 */
class ParentLoadWeightingTest extends WireLabTest {
    private static final Logger LOG = LoggerFactory.getLogger(ParentLoadWeightingTest.class);
    private static final int PIECE = 64 << 10;
    private static final int PIECES = 64;
    private static final byte[] BLOB = DeterministicBytes.bytes(21, PIECES * PIECE);
    /** Both parents' max_tx_bandwidth, bits/s: 1 Gbps. */
    private static final long MAX_TX = 1_000_000_000L;

    /**
     * A node. Parents fetch at a steady 8 MiB/s so every piece costs about the same: the scheduler drops a parent
     * whose last piece cost 20× the mean of the others as a bad node, which a loopback hiccup can cause.
     */
    private WireNode node(String name, UploadFaults faults, LongSupplier uploadedBytes) {
        boolean parent = !name.equals("child");
        long rate = parent ? 8L << 20 : 0;
        // the child asks for 2 pieces at a time: below the engine's per-parent cap, so the weights alone decide
        EngineConfig config = EngineConfig.defaults().withDirectOriginThreshold(0).withRateLimits(rate, rate)
                .withConcurrency(parent ? EngineConfig.DEFAULT_CONCURRENT_PIECE_COUNT : 2,
                        EngineConfig.DEFAULT_BACK_TO_SOURCE_CONCURRENCY)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60));
        return lab.node(name, config, MAX_TX, faults, uploadedBytes, u -> u);
    }

    /** An upload counter growing at exactly max_tx_bandwidth: the parent's link is full. */
    private static LongSupplier saturated() {
        long t0 = System.nanoTime();
        long bytesPerSecond = MAX_TX / 8;
        return () -> (System.nanoTime() - t0) / 1000 * bytesPerSecond / 1_000_000;
    }

    private TaskRequest request(String path) throws Exception {
        return lab.request(path, BLOB, PIECE);
    }

    private static DownloadResult complete(WireNode n, TaskRequest r) throws Exception {
        return n.engine.download(r).completion().get(30, TimeUnit.SECONDS);
    }

    /** Waits until the parent's SyncHost reports its link at least half used (its sampler runs once a second). */
    private static void awaitReportedBusy(WireNode parent) throws InterruptedException {
        try (SyncHostClient probe = new SyncHostClient()) {
            ParentLoad.Lease lease = probe.track(new ParentEndpoint(parent.hostId() + "-probe", parent.hostId(),
                    WireNode.IP, parent.upload.grpcPort()), "probe", "probe-peer");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lease.bandwidth().map(b -> b.txBps() < MAX_TX / 2).orElse(true)) {
                assertTrue(System.nanoTime() < deadline, "the busy parent never reported its load");
                Thread.sleep(20);
            }
            lease.close();
        }
    }

    private static void assertPeersOnly(DownloadResult result, WireNode child, TaskRequest r) throws Exception {
        assertEquals(BLOB.length, result.bytes(PieceSource.REMOTE_PEER), result.bytesBySource().toString());
        assertEquals(0, result.bytes(PieceSource.BACK_TO_SOURCE));
        TaskDownload d = child.engine.download(r);
        d.completion().get(10, TimeUnit.SECONDS);
        assertArrayEquals(BLOB, readAll(d.openStream(0, BLOB.length)));
    }

    @Test
    void theChildTakesClearlyMoreFromTheIdleParentThanFromTheBusyOne() throws Exception {
        WireNode busy = node("busy", UploadFaults.NONE, saturated());
        WireNode idle = node("idle", UploadFaults.NONE, null);
        WireNode child = node("child", UploadFaults.NONE, null);
        TaskRequest r = request("/weighted");
        complete(busy, r);
        complete(idle, r);
        awaitReportedBusy(busy);
        long busyBefore = busy.upload.uploadedBytes();
        long idleBefore = idle.upload.uploadedBytes();

        DownloadResult result = complete(child, r);

        long fromBusy = (busy.upload.uploadedBytes() - busyBefore) / PIECE;
        long fromIdle = (idle.upload.uploadedBytes() - idleBefore) / PIECE;
        LOG.info("pieces by parent: idle={} busy={}", fromIdle, fromBusy);
        assertEquals(Set.of(busy.hostId(), idle.hostId()), child.trackedParentHosts, "both were candidate parents");
        assertEquals(PIECES, fromBusy + fromIdle, "every piece came from one of the two parents");
        // expected ≈ 1:10 (weights 100 Mbps vs ≈ 1 Gbps), a little more for the busy one while the first SyncHost
        // message is on its way; 1:2 leaves a margin of many standard deviations
        assertTrue(fromIdle >= 2 * fromBusy, "idle parent " + fromIdle + " pieces, busy parent " + fromBusy);
        assertEquals(0, child.syncHost.streamFailures());
        assertPeersOnly(result, child, r);
        lab.closeNode(child);
        assertEquals(0, child.syncHost.trackedHosts(), "every SyncHost stream closed with the download");
    }

    @Test
    void aParentWhoseSyncHostFailsStillGetsPiecesAtTheDefaultWeight() throws Exception {
        WireNode mute = node("mute", UploadFaults.failingSyncHost(), null);
        WireNode idle = node("idle", UploadFaults.NONE, null);
        WireNode child = node("child", UploadFaults.NONE, null);
        TaskRequest r = request("/mute");
        complete(mute, r);
        complete(idle, r);
        long muteBefore = mute.upload.uploadedBytes();
        long idleBefore = idle.upload.uploadedBytes();

        DownloadResult result = complete(child, r);

        long fromMute = (mute.upload.uploadedBytes() - muteBefore) / PIECE;
        long fromIdle = (idle.upload.uploadedBytes() - idleBefore) / PIECE;
        LOG.info("pieces by parent: mute={} idle={}", fromMute, fromIdle);
        assertTrue(child.syncHost.streamFailures() >= 1, "the mute parent's SyncHost stream failed");
        assertEquals(PIECES, fromMute + fromIdle);
        // unknown figures weigh 10 Gbps against the idle parent's 1 Gbps: ≈ 10:1 once the idle parent's first SyncHost
        // report has arrived, 1:1 before it (both unknown), which on a loaded machine lasted a third of the pieces (42:22
        // seen in CI); 3:2 still fails a mute parent weighed like a known one (≈ 1:1) or less
        assertTrue(2 * fromMute >= 3 * fromIdle, "mute parent " + fromMute + " pieces, idle parent " + fromIdle);
        assertPeersOnly(result, child, r);
    }
}
