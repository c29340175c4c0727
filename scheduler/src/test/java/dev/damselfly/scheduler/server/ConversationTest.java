package dev.damselfly.scheduler.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.scheduler.client.PeerSession;
import dev.damselfly.scheduler.client.ScheduleDecision;
import dev.damselfly.scheduler.client.SchedulerClientConfig;
import dev.damselfly.scheduler.client.id.TaskIds;
import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import dev.damselfly.scheduler.proto.common.v2.Task;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.ListHostsRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.RegisterPeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.SchedulerGrpc;
import dev.damselfly.scheduler.proto.scheduler.v2.StatPeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.StatTaskRequest;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Client against the embedded scheduler over real loopback sockets. */
class ConversationTest {
    private static final int PIECES = 4;

    private SchedulerServer server;
    private ManagedChannel raw;

    static SchedulerConfig testConfig() {
        return SchedulerConfig.defaults().withRetry(5, Duration.ofMillis(50), 4);
    }

    @BeforeEach
    void start() {
        server = new SchedulerServer(testConfig()).start(0);
        raw = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        raw.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        server.close();
    }

    private SchedulerGrpc.SchedulerBlockingStub stub() {
        return SchedulerGrpc.newBlockingStub(raw).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    /** A downloads from the origin and finishes; returns its peer id. */
    private static String seedFromOrigin(TestNode node, String taskId, String url) {
        PeerSession a = node.open(taskId, TestNode.download(url, PIECES));
        ScheduleDecision d = a.register();
        ScheduleDecision.BackToSource bts = assertInstanceOf(ScheduleDecision.BackToSource.class, d);
        assertTrue(bts.fromScheduler());
        for (int i = 0; i < PIECES; i++) {
            a.pieceBackToSourceFinished(Fixtures.piece(i, null));
        }
        a.finished();
        return a.peerId();
    }

    private static void downloadFrom(PeerSession s, String parentId) {
        for (int i = 0; i < PIECES; i++) {
            s.pieceFinished(Fixtures.piece(i, parentId));
        }
        s.finished();
    }

    private void awaitPeerState(String taskId, String peerId, String state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String last = null;
        while (System.nanoTime() < deadline) {
            PeerRecord p = server.resources().peer(peerId);
            last = p == null ? null : p.state().wireName();
            if (state.equals(last)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("peer " + peerId + " of " + taskId + " stayed " + last + ", expected " + state);
    }

    @Test
    void fullDownloadConversation() throws Exception {
        String url = "https://registry.example/v2/a/blobs/sha256:" + "1".repeat(64);
        String taskId = TaskIds.taskId(url);
        try (TestNode a = new TestNode("node-a", server.port()); TestNode b = new TestNode("node-b", server.port())) {
            HealthCheckResponse health = HealthGrpc.newBlockingStub(raw).check(HealthCheckRequest.newBuilder().build());
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
            List<Host> hosts = stub().listHosts(ListHostsRequest.getDefaultInstance()).getHostsList();
            assertEquals(2, hosts.size());
            assertTrue(hosts.stream().allMatch(h -> h.getNetwork().getMaxTxBandwidth() > 0));

            String aPeer = seedFromOrigin(a, taskId, url);
            awaitPeerState(taskId, aPeer, "Succeeded");

            PeerSession bs = b.open(taskId, TestNode.download(url, PIECES));
            ScheduleDecision.Parents parents = assertInstanceOf(ScheduleDecision.Parents.class, bs.register());
            assertEquals(PeerSession.State.P2P, bs.state());
            assertEquals(1, parents.candidates().size());
            Peer parent = parents.candidates().get(0);
            assertEquals(aPeer, parent.getId());
            assertEquals("127.0.0.1-node-a", parent.getHost().getId());
            assertEquals(4000, parent.getHost().getPort());
            assertEquals(0, parent.getPiecesCount(), "candidates carry no pieces");
            assertEquals(PIECES * Fixtures.PIECE, parent.getTask().getContentLength());
            downloadFrom(bs, aPeer);
            assertEquals(PeerSession.State.FINISHED, bs.state());
            awaitPeerState(taskId, bs.peerId(), "Succeeded");

            Peer stat = stub().statPeer(StatPeerRequest.newBuilder().setHostId(b.client.hostId()).setTaskId(taskId)
                    .setPeerId(bs.peerId()).build());
            assertEquals("Succeeded", stat.getState());
            Task task = stub().statTask(StatTaskRequest.newBuilder().setTaskId(taskId).build());
            assertEquals("Succeeded", task.getState());
            assertEquals(PIECES, task.getPieceCount());
            assertEquals(2, task.getPeerCount());
            assertEquals(PIECES, server.resources().host("127.0.0.1-node-a").uploadCount());
            assertEquals(0, server.resources().host("127.0.0.1-node-a").uploadSlotsInUse(), "finished child freed its slot");

            // empty task
            String emptyUrl = "https://example.com/empty";
            PeerSession e = b.open(TaskIds.taskId(emptyUrl), TestNode.download(emptyUrl, 0));
            assertInstanceOf(ScheduleDecision.EmptyTask.class, e.register());
            assertEquals(PeerSession.State.FINISHED, e.state());

            // eviction: DeleteTask forgets node-a's peer of this task
            a.client.deleteTask(taskId);
            assertNull(server.resources().peer(aPeer));
            StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> stub().statPeer(
                    StatPeerRequest.newBuilder().setTaskId(taskId).setPeerId(aPeer).build()));
            assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
        }
        // shutdown sends DeleteHost
        assertEquals(0, stub().listHosts(ListHostsRequest.getDefaultInstance()).getHostsCount());
    }

    @Test
    void aClientInThisJvmTalksInProcessAndMeetsPeersThatUseTheSocket() throws Exception {
        String url = "https://registry.example/v2/a/blobs/sha256:" + "4".repeat(64);
        String taskId = TaskIds.taskId(url);
        String inProcess = server.inProcessAddress();
        assertTrue(inProcess.startsWith(SchedulerClientConfig.IN_PROCESS_PREFIX), inProcess);
        SchedulerClientConfig viaMemory = SchedulerClientConfig.defaults(List.of(inProcess))
                .withScheduleTimeout(Duration.ofSeconds(20))
                .withReconnect(Duration.ofMillis(100), Duration.ofMillis(500), 20)
                .withHealthRefreshInterval(Duration.ofMillis(200));
        try (TestNode a = new TestNode("node-a", server.port(), false, viaMemory);
             TestNode b = new TestNode("node-b", server.port())) {
            String aPeer = seedFromOrigin(a, taskId, url);
            awaitPeerState(taskId, aPeer, "Succeeded");
            PeerSession bs = b.open(taskId, TestNode.download(url, PIECES));
            ScheduleDecision.Parents parents = assertInstanceOf(ScheduleDecision.Parents.class, bs.register());
            assertEquals(aPeer, parents.candidates().get(0).getId(), "the in-process peer is the socket peer's parent");
            assertEquals(2, stub().listHosts(ListHostsRequest.getDefaultInstance()).getHostsCount());
        }
    }

    @Test
    void failingParentIsReplaced() throws Exception {
        String url = "https://example.com/big.bin";
        String taskId = TaskIds.taskId(url);
        try (TestNode a = new TestNode("node-a", server.port()); TestNode b = new TestNode("node-b", server.port());
             TestNode c = new TestNode("node-c", server.port())) {
            String aPeer = seedFromOrigin(a, taskId, url);
            awaitPeerState(taskId, aPeer, "Succeeded");
            PeerSession cs = c.open(taskId, TestNode.download(url, PIECES));
            ScheduleDecision.Parents cp = assertInstanceOf(ScheduleDecision.Parents.class, cs.register());
            assertEquals(aPeer, cp.candidates().get(0).getId());
            downloadFrom(cs, aPeer);
            awaitPeerState(taskId, cs.peerId(), "Succeeded");

            PeerSession bs = b.open(taskId, TestNode.download(url, PIECES));
            ScheduleDecision.Parents first = assertInstanceOf(ScheduleDecision.Parents.class, bs.register());
            List<String> ids = first.candidates().stream().map(Peer::getId).toList();
            assertTrue(ids.contains(aPeer) && ids.contains(cs.peerId()), ids.toString());
            bs.pieceFinished(Fixtures.piece(0, aPeer));
            // node-a dies mid-task: piece 1 fails, the child asks for replacements
            bs.pieceFailed(1, aPeer, true);
            Peer failed = first.candidates().stream().filter(p -> p.getId().equals(aPeer)).findFirst().orElseThrow();
            ScheduleDecision.Parents second = assertInstanceOf(ScheduleDecision.Parents.class,
                    bs.reschedule(List.of(failed), "parent unreachable"));
            List<String> ids2 = second.candidates().stream().map(Peer::getId).toList();
            assertEquals(List.of(cs.peerId()), ids2);
            for (int i = 1; i < PIECES; i++) {
                bs.pieceFinished(Fixtures.piece(i, cs.peerId()));
            }
            bs.finished();
            awaitPeerState(taskId, bs.peerId(), "Succeeded");
            assertEquals(1, server.resources().host("127.0.0.1-node-a").uploadFailedCount());
        }
    }

    @Test
    void schedulerRestartMidTask() throws Exception {
        String url = "https://example.com/restart.bin";
        String taskId = TaskIds.taskId(url);
        int port = server.port();
        try (TestNode a = new TestNode("node-a", port); TestNode b = new TestNode("node-b", port)) {
            PeerSession as = a.open(taskId, TestNode.download(url, PIECES));
            assertInstanceOf(ScheduleDecision.BackToSource.class, as.register());
            as.pieceBackToSourceFinished(Fixtures.piece(0, null));
            as.pieceBackToSourceFinished(Fixtures.piece(1, null));
            awaitPieces(as.peerId(), 2);

            server.close();
            as.pieceBackToSourceFinished(Fixtures.piece(2, null));
            server = startOn(port);

            ScheduleDecision again = as.pollDecision(Duration.ofSeconds(10)).orElseThrow(
                    () -> new AssertionError("no decision after the scheduler came back"));
            ScheduleDecision.BackToSource bts = assertInstanceOf(ScheduleDecision.BackToSource.class, again);
            assertTrue(bts.fromScheduler(), "re-registered with the new scheduler, not detached");
            awaitPieces(as.peerId(), 3);
            as.pieceBackToSourceFinished(Fixtures.piece(3, null));
            as.finished();
            awaitPeerState(taskId, as.peerId(), "Succeeded");

            PeerSession bs = b.open(taskId, TestNode.download(url, PIECES));
            ScheduleDecision.Parents p = assertInstanceOf(ScheduleDecision.Parents.class, bs.register());
            assertEquals(as.peerId(), p.candidates().get(0).getId());
            downloadFrom(bs, as.peerId());
        }
    }

    private SchedulerServer startOn(int port) throws InterruptedException {
        RuntimeException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                return new SchedulerServer(testConfig()).start(port);
            } catch (RuntimeException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw last;
    }

    private void awaitPieces(String peerId, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            PeerRecord p = server.resources().peer(peerId);
            if (p != null) {
                synchronized (p.task()) {
                    if (p.finishedPieceCount() >= n) {
                        return;
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("scheduler never saw " + n + " pieces of " + peerId);
    }

    @Test
    void invalidMessagesAndUnknownHostsAreRejected() throws Exception {
        CompletableFuture<Status> result = new CompletableFuture<>();
        StreamObserver<AnnouncePeerRequest> req = SchedulerGrpc.newStub(raw).announcePeer(new StreamObserver<>() {
            @Override
            public void onNext(AnnouncePeerResponse value) {
                result.complete(Status.OK);
            }

            @Override
            public void onError(Throwable t) {
                result.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                result.complete(Status.OK);
            }
        });
        req.onNext(AnnouncePeerRequest.newBuilder().setHostId("h").setTaskId("t").setPeerId("p")
                .setRegisterPeerRequest(RegisterPeerRequest.newBuilder().setDownload(
                        Download.newBuilder().setUrl("https://x/y").setPieceLength(1024))).build());
        Status s = result.get(5, TimeUnit.SECONDS);
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().contains("piece_length"), s.getDescription());

        CompletableFuture<Status> second = new CompletableFuture<>();
        StreamObserver<AnnouncePeerRequest> req2 = SchedulerGrpc.newStub(raw).announcePeer(new StreamObserver<>() {
            @Override
            public void onNext(AnnouncePeerResponse value) {
                second.complete(Status.OK);
            }

            @Override
            public void onError(Throwable t) {
                second.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                second.complete(Status.OK);
            }
        });
        req2.onNext(AnnouncePeerRequest.newBuilder().setHostId("unknown-host").setTaskId("t").setPeerId("p")
                .setRegisterPeerRequest(RegisterPeerRequest.newBuilder().setDownload(
                        Download.newBuilder().setUrl("https://x/y"))).build());
        assertEquals(Status.Code.NOT_FOUND, second.get(5, TimeUnit.SECONDS).getCode());
    }

    @Test
    void maxScheduleCountDetachesToTheOrigin() throws Exception {
        String url = "https://example.com/max.bin";
        String taskId = TaskIds.taskId(url);
        try (TestNode a = new TestNode("node-a", server.port());
             TestNode b = new TestNode("node-b", server.port(), false,
                     TestNode.fastConfig(server.port()).withMaxScheduleCount(1))) {
            String aPeer = seedFromOrigin(a, taskId, url);
            awaitPeerState(taskId, aPeer, "Succeeded");
            PeerSession bs = b.open(taskId, TestNode.download(url, PIECES));
            ScheduleDecision.Parents p = assertInstanceOf(ScheduleDecision.Parents.class, bs.register());
            ScheduleDecision d = bs.reschedule(p.candidates(), "too slow");
            ScheduleDecision.BackToSource bts = assertInstanceOf(ScheduleDecision.BackToSource.class, d);
            assertFalse(bts.fromScheduler());
            assertEquals(PeerSession.State.DETACHED, bs.state());
            awaitPeerState(taskId, bs.peerId(), "Failed");
        }
    }

    @Test
    void severalSchedulersUseOnlyHealthyOnes() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        var config = dev.damselfly.scheduler.client.SchedulerClientConfig.defaults(
                List.of("127.0.0.1:" + dead, "127.0.0.1:" + server.port()))
                .withScheduleTimeout(Duration.ofSeconds(10));
        String url = "https://example.com/two.bin";
        String taskId = TaskIds.taskId(url);
        try (TestNode a = new TestNode("node-a", server.port(), false, config)) {
            assertFalse(a.client.isServing("127.0.0.1:" + dead));
            assertTrue(a.client.isServing("127.0.0.1:" + server.port()));
            assertEquals(1, a.client.announceHostNow(), "announced to every scheduler, one answered");
            for (int i = 0; i < 20; i++) {
                assertEquals("127.0.0.1:" + server.port(), a.client.addressFor(TaskIds.sha256Hex("t" + i)));
            }
            PeerSession s = a.open(taskId, TestNode.download(url, PIECES));
            assertInstanceOf(ScheduleDecision.BackToSource.class, s.register());
            assertEquals("127.0.0.1:" + server.port(), s.address());
            s.failed("test over");
        }
    }

    @Test
    void peersOfAHostThatStopsAnnouncingAreForgotten() throws Exception {
        server.close();
        server = new SchedulerServer(testConfig().withExpiry(Duration.ofMillis(300), Duration.ofHours(1),
                Duration.ofMillis(300), Duration.ofHours(1))).start(0);
        String url = "https://example.com/expire.bin";
        String taskId = TaskIds.taskId(url);
        try (TestNode a = new TestNode("node-a", server.port())) {
            PeerSession as = a.open(taskId, TestNode.download(url, PIECES));
            as.register();
            assertTrue(server.resources().peer(as.peerId()) != null);
            Thread.sleep(400);
            server.expireNow();
            assertNull(server.resources().host(a.client.hostId()));
            assertNull(server.resources().peer(as.peerId()));
            assertNull(server.resources().task(taskId));
        }
    }
}
