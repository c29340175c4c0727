package dev.damselfly.exchange.upload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.exchange.ParentEndpoint;
import dev.damselfly.exchange.PieceAnnouncement;
import dev.damselfly.exchange.PieceAvailability;
import dev.damselfly.exchange.vortex.NettyLeaks;
import dev.damselfly.exchange.vortex.TestPieces;
import dev.damselfly.exchange.vortex.VortexPieceClient;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Task;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DeleteTaskRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DfdaemonUploadGrpc;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DownloadTaskRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.StatLocalTaskRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.StatLocalTaskResponse;
import dev.damselfly.scheduler.proto.dfdaemon.v2.StatTaskRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.SyncHostRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real UploadServer (gRPC + Vortex) over a real piece store, talked to by SyncPiecesClient and gRPC stubs. */
class UploadServerTest {
    static {
        NettyLeaks.install();
    }

    private static final int MIB = 1 << 20;
    private static final String IP = "127.0.0.1";

    @TempDir
    Path dir;
    PieceStore store;
    UploadServer server;
    SyncPiecesClient sync;
    ManagedChannel channel;
    ParentEndpoint parent;

    @BeforeEach
    void start() {
        store = TestPieces.open(dir.resolve("parent"));
        server = UploadServer.builder(UploadConfig.defaults("127.0.0.1-parent", IP).withBindAddress(IP)
                .withPorts(0, 0).withBandwidth(123_000_000L, 0), store).start();
        sync = new SyncPiecesClient();
        channel = NettyChannelBuilder.forAddress(IP, server.grpcPort()).usePlaintext().build();
        parent = new ParentEndpoint("127.0.0.1-parent-peer", "127.0.0.1-parent", IP, server.grpcPort());
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        sync.close();
        server.close();
        store.close();
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeaks.assertNoLeaks();
    }

    /** Records a stream's callbacks. */
    static final class Recorder implements PieceAvailability.Listener {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

        @Override
        public void onPiece(PieceAnnouncement piece) {
            events.add(piece);
        }

        @Override
        public void onError(Throwable error) {
            events.add(error);
        }

        @Override
        public void onCompleted() {
            events.add("completed");
        }

        Object next() throws InterruptedException {
            Object e = events.poll(5, TimeUnit.SECONDS);
            assertNotNull(e, "no SyncPieces event within 5 s");
            return e;
        }
    }

    @Test
    void syncPiecesAnnouncesStoredThenLaterPiecesThenCompletes() throws Exception {
        String task = TestPieces.taskId("sync");
        long length = 3L * MIB + 17;
        TestPieces.fill(store, task, length, MIB, 0, 2);
        Recorder r = new Recorder();
        sync.subscribe(parent, task, "127.0.0.1-child", List.of(0, 1, 2, 3), r);

        List<Integer> first = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            PieceAnnouncement a = (PieceAnnouncement) r.next();
            first.add(a.number());
            assertEquals(IP, a.ip());
            assertEquals(server.vortexPort(), a.tcpPort());
            assertEquals((long) a.number() * MIB, a.offset());
            assertEquals(MIB, a.length());
        }
        assertEquals(List.of(0, 2), first);
        assertTrue(r.events.poll(300, TimeUnit.MILLISECONDS) == null, "nothing more until a piece is stored");
        assertEquals(1, server.notifications().waitingTasks());

        TestPieces.write(store, task, 3, length, MIB);
        server.notifications().pieceStored(task, 3);
        PieceAnnouncement last = (PieceAnnouncement) r.next();
        assertEquals(3, last.number());
        assertEquals(17, last.length());

        TestPieces.write(store, task, 1, length, MIB);
        server.notifications().pieceStored(task, 1);
        assertEquals(1, ((PieceAnnouncement) r.next()).number());
        assertEquals("completed", r.next());
        assertEquals(0, server.notifications().waitingTasks());
    }

    @Test
    void announcedPieceCanBeFetchedOverVortex() throws Exception {
        String task = TestPieces.taskId("fetch");
        TestPieces.fill(store, task, 2L * MIB, MIB);
        Recorder r = new Recorder();
        sync.subscribe(parent, task, "child", List.of(1), r);
        PieceAnnouncement a = (PieceAnnouncement) r.next();
        assertEquals("completed", r.next());
        try (PieceStore child = TestPieces.open(dir.resolve("child")); VortexPieceClient vortex = new VortexPieceClient()) {
            child.createTask(task, 2L * MIB, MIB);
            vortex.fetchInto(child, task, a.number(), a.ip(), a.tcpPort(), Duration.ofSeconds(30));
            assertArrayEquals(TestPieces.piece(task, 1, 2L * MIB, MIB), TestPieces.read(child, task, 1));
        }
        assertEquals(MIB, server.uploadedBytes());
    }

    @Test
    void unknownTaskIsNotFound() throws Exception {
        Recorder r = new Recorder();
        sync.subscribe(parent, TestPieces.taskId("nope"), "child", List.of(0), r);
        StatusRuntimeException e = assertInstanceOf(StatusRuntimeException.class, r.next());
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());

        var stub = DfdaemonUploadGrpc.newBlockingStub(channel);
        StatusRuntimeException stat = assertThrows(StatusRuntimeException.class,
                () -> stub.statTask(StatTaskRequest.newBuilder().setTaskId(TestPieces.taskId("nope")).build()));
        assertEquals(Status.Code.NOT_FOUND, stat.getStatus().getCode());
    }

    @Test
    void perMessageTimeoutAndClose() throws Exception {
        String task = TestPieces.taskId("quiet");
        TestPieces.fill(store, task, 2L * MIB, MIB, 0);
        try (SyncPiecesClient impatient = new SyncPiecesClient(Duration.ofMillis(300))) {
            Recorder r = new Recorder();
            impatient.subscribe(parent, task, "child", List.of(1), r);
            StatusRuntimeException e = assertInstanceOf(StatusRuntimeException.class, r.next());
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        }
        Recorder r = new Recorder();
        PieceAvailability.Subscription s = sync.subscribe(parent, task, "child", List.of(1), r);
        awaitWaiting(1);
        s.close();
        awaitWaiting(0); // the parent stops polling when the child cancels
        assertTrue(r.events.poll(200, TimeUnit.MILLISECONDS) == null, "no callbacks after close");
    }

    private void awaitWaiting(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.notifications().waitingTasks() != n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, server.notifications().waitingTasks());
    }

    @Test
    void syncHostSendsBandwidth() throws Exception {
        String task = TestPieces.taskId("host");
        TestPieces.fill(store, task, 4L * MIB, 4 * MIB);
        Context.CancellableContext ctx = Context.current().withCancellation();
        try {
            ctx.run(() -> {
                Iterator<Host> hosts = DfdaemonUploadGrpc.newBlockingStub(channel)
                        .syncHost(SyncHostRequest.newBuilder().setHostId("child").setPeerId("child-peer").build());
                Host first = hosts.next();
                assertEquals(123_000_000L, first.getNetwork().getMaxTxBandwidth());
                assertEquals(UploadConfig.DEFAULT_BANDWIDTH, first.getNetwork().getMaxRxBandwidth());
                assertTrue(first.getNetwork().hasTxBandwidth());
                assertEquals("", first.getId(), "only the network fields are sent");
                try (PieceStore child = TestPieces.open(dir.resolve("child"));
                     VortexPieceClient vortex = new VortexPieceClient()) {
                    child.createTask(task, 4L * MIB, 4 * MIB);
                    vortex.fetchInto(child, task, 0, IP, server.vortexPort(), Duration.ofSeconds(30));
                }
                long maxTx = 0;
                for (int i = 0; i < 3; i++) {
                    maxTx = Math.max(maxTx, hosts.next().getNetwork().getTxBandwidth());
                }
                assertTrue(maxTx > 0, "tx_bandwidth stayed 0 after a 4 MiB upload");
            });
        } finally {
            ctx.cancel(null);
        }
    }

    @Test
    void statDeleteHealthAndUnimplemented() {
        String task = TestPieces.taskId("stat");
        TestPieces.fill(store, task, 2L * MIB, MIB, 0);
        var stub = DfdaemonUploadGrpc.newBlockingStub(channel);

        Task t = stub.statTask(StatTaskRequest.newBuilder().setTaskId(task).build());
        assertEquals(task, t.getId());
        assertEquals(2L * MIB, t.getContentLength());
        assertEquals(2, t.getPieceCount());
        assertEquals("Running", t.getState());

        StatLocalTaskResponse local = stub.statLocalTask(StatLocalTaskRequest.newBuilder().setTaskId(task).build());
        assertEquals(MIB, local.getPieceLength());
        assertEquals(2L * MIB, local.getContentLength());
        assertFalse(local.hasFinishedAt());

        stub.deleteTask(DeleteTaskRequest.newBuilder().setTaskId(task).build());
        assertTrue(store.taskInfo(task).isEmpty());
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class,
                () -> stub.deleteTask(DeleteTaskRequest.newBuilder().setTaskId(task).build()));
        assertEquals(Status.Code.NOT_FOUND, again.getStatus().getCode());

        var health = HealthGrpc.newBlockingStub(channel);
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder().build()).getStatus());
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                .setService("dfdaemon.v2.DfdaemonUpload").build()).getStatus());

        StatusRuntimeException unimplemented = assertThrows(StatusRuntimeException.class,
                () -> stub.downloadTask(DownloadTaskRequest.getDefaultInstance()).hasNext());
        assertEquals(Status.Code.UNIMPLEMENTED, unimplemented.getStatus().getCode());
    }
}
