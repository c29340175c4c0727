package dev.damselfly.exchange.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.exchange.ParentBandwidth;
import dev.damselfly.exchange.ParentEndpoint;
import dev.damselfly.exchange.ParentLoad;
import dev.damselfly.exchange.vortex.TestPieces;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DfdaemonUploadGrpc;
import dev.damselfly.scheduler.proto.dfdaemon.v2.SyncHostRequest;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SyncHost client against real upload servers on loopback (and, for the two behaviours an {@link UploadServer}
 * never shows, a peer without SyncHost and a silent one, minimal real gRPC servers). Time-dependent rules (stale
 * figures, retry wait) run on a test clock; the streams themselves are real.
 */
class SyncHostClientTest {
    private static final String IP = "127.0.0.1";
    private static final long SECOND = 1_000_000_000L;
    private static final long MAX_TX = 123_000_000L;

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        open.add(c);
        return c;
    }

    /** A real upload server whose upload counter grows by {@code txBytesPerSecond}. */
    private UploadServer parent(String name, long txBytesPerSecond) {
        PieceStore store = closing(TestPieces.open(dir.resolve(name)));
        long t0 = System.nanoTime();
        return closing(UploadServer.builder(UploadConfig.defaults(IP + "-" + name, IP).withBindAddress(IP)
                        .withPorts(0, 0).withBandwidth(MAX_TX, 0), store)
                .uploadedBytes(() -> (System.nanoTime() - t0) / 1000 * txBytesPerSecond / 1_000_000)
                .start());
    }

    private static ParentEndpoint endpoint(String hostId, int port, String peer) {
        return new ParentEndpoint(hostId + "-" + peer, hostId, IP, port);
    }

    /** A client on the test clock: stale after 5 s, reopened 1 s after a failure. */
    private SyncHostClient testClockClient() {
        return closing(new SyncHostClient(new ParentChannels(null), true, Duration.ofSeconds(5), Duration.ofSeconds(1),
                clock::get));
    }

    private Server grpcServer(BindableService service) throws IOException {
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress(IP, 0)).addService(service).build().start();
        open.add(() -> s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return s;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10 * SECOND;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void oneStreamPerParentHostServesEveryTaskAndCarriesTheSampledLoad() throws Exception {
        UploadServer server = parent("busy", MAX_TX / 8 / 2); // uploading at half its 123 Mbps
        SyncPiecesClient sync = closing(new SyncPiecesClient());
        SyncHostClient client = closing(new SyncHostClient(sync)); // shares the SyncPieces channels
        String host = IP + "-busy";

        ParentLoad.Lease first = client.track(endpoint(host, server.grpcPort(), "task-a"), "child", "child-peer-a");
        ParentLoad.Lease second = client.track(endpoint(host, server.grpcPort(), "task-b"), "child", "child-peer-b");
        assertEquals(1, client.trackedHosts());
        assertEquals(1, client.streamsOpened(), "two tasks on one parent host share one SyncHost stream");

        // the sampler runs once a second: wait for a message carrying a sampled figure
        await(() -> first.bandwidth().map(b -> b.txBps() > 0).orElse(false), "a sampled tx_bandwidth");
        ParentBandwidth b = first.bandwidth().orElseThrow();
        assertEquals(MAX_TX, b.maxTxBps());
        assertEquals(UploadConfig.DEFAULT_BANDWIDTH, b.maxRxBps());
        assertTrue(b.txBps() > MAX_TX * 4 / 10 && b.txBps() < MAX_TX * 6 / 10, "tx ≈ half of max_tx: " + b);
        assertEquals(first.bandwidth(), second.bandwidth(), "both tasks see the host's one feed");

        first.close();
        first.close(); // idempotent: must not release the other task's hold
        assertEquals(1, client.trackedHosts(), "still used by the second task");
        assertTrue(first.bandwidth().isEmpty(), "a closed lease knows nothing");
        assertTrue(second.bandwidth().isPresent());
        second.close();
        assertEquals(0, client.trackedHosts(), "the stream is closed with its last task");

        ParentLoad.Lease again = client.track(endpoint(host, server.grpcPort(), "task-c"), "child", "child-peer-c");
        assertEquals(2, client.streamsOpened(), "a host used again gets a new stream");
        await(() -> again.bandwidth().isPresent(), "figures on the new stream");
        assertEquals(0, client.streamFailures());
        again.close();
    }

    @Test
    void figuresOutliveAFailedStreamUntilStaleAndTheStreamIsReopenedLazily() throws Exception {
        UploadServer server = parent("gone", 0);
        SyncHostClient client = testClockClient();
        ParentLoad.Lease lease = client.track(endpoint(IP + "-gone", server.grpcPort(), "t"), "child", "child-peer");
        await(() -> lease.bandwidth().isPresent(), "first figures");

        server.close(); // the parent goes away: its stream fails
        await(() -> client.streamFailures() == 1, "the stream failure noticed");
        assertTrue(lease.bandwidth().isPresent(), "figures 0 s old are still trusted");
        assertEquals(1, client.streamsOpened(), "no reopen before the 1 s retry wait");

        clock.set(SECOND + SECOND / 2);
        assertTrue(lease.bandwidth().isPresent(), "1.5 s old");
        assertEquals(2, client.streamsOpened(), "reopened lazily by a read after the retry wait");
        await(() -> client.streamFailures() == 2, "the reopened stream fails too (connection refused)");

        clock.set(6 * SECOND);
        assertEquals(Optional.empty(), lease.bandwidth(), "figures 6 s old count as unknown");
        assertEquals(3, client.streamsOpened());
        lease.close();
        assertEquals(0, client.trackedHosts());
    }

    @Test
    void aParentWithoutSyncHostIsNotAskedAgain() throws Exception {
        Server legacy = grpcServer(new HealthStatusManager().getHealthService()); // no DfdaemonUpload: UNIMPLEMENTED
        SyncHostClient client = testClockClient();
        ParentLoad.Lease lease = client.track(endpoint(IP + "-old", legacy.getPort(), "t"), "child", "child-peer");
        await(() -> client.streamFailures() == 1, "the UNIMPLEMENTED answer");
        clock.set(60 * SECOND);
        assertTrue(lease.bandwidth().isEmpty());
        assertEquals(1, client.streamsOpened(), "not asked again while tracked");
        lease.close();

        ParentLoad.Lease later = client.track(endpoint(IP + "-old", legacy.getPort(), "t2"), "child", "child-peer");
        assertEquals(2, client.streamsOpened(), "a later use of the host asks once more");
        later.close();
    }

    @Test
    void aSilentStreamIsDroppedAndReopened() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger cancelled = new AtomicInteger();
        Server silent = grpcServer(new DfdaemonUploadGrpc.DfdaemonUploadImplBase() {
            @Override
            public void syncHost(SyncHostRequest request, StreamObserver<Host> out) {
                calls.incrementAndGet();
                ((ServerCallStreamObserver<Host>) out).setOnCancelHandler(cancelled::incrementAndGet);
            }
        });
        SyncHostClient client = testClockClient();
        ParentLoad.Lease lease = client.track(endpoint(IP + "-mute", silent.getPort(), "t"), "child", "child-peer");
        await(() -> calls.get() == 1, "the call reaching the parent");

        clock.set(5 * SECOND + 1);
        assertTrue(lease.bandwidth().isEmpty());
        assertEquals(1, client.streamFailures(), "silent for longer than 5 s counts as a failure");
        await(() -> cancelled.get() == 1, "the silent call cancelled on the parent");

        clock.set(6 * SECOND + 2);
        assertTrue(lease.bandwidth().isEmpty());
        assertEquals(2, client.streamsOpened(), "reopened after the retry wait");
        await(() -> calls.get() == 2, "the second call reaching the parent");

        lease.close();
        await(() -> cancelled.get() == 2, "the last lease closing cancels the stream");
        assertEquals(1, client.streamFailures(), "a stream cancelled by us is no failure");
    }

    @Test
    void afterCloseEveryLeaseKnowsNothing() throws Exception {
        UploadServer server = parent("closing", 0);
        SyncHostClient client = closing(new SyncHostClient());
        ParentLoad.Lease lease = client.track(endpoint(IP + "-closing", server.grpcPort(), "t"), "child", "peer");
        await(() -> lease.bandwidth().isPresent(), "first figures");
        client.close();
        assertTrue(lease.bandwidth().isEmpty());
        assertSame(ParentLoad.Lease.UNKNOWN, client.track(endpoint(IP + "-closing", server.grpcPort(), "u"), "c", "p"));
        lease.close(); // harmless after close
        assertEquals(0, client.streamFailures(), "closing is no failure");
    }
}
