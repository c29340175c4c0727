package dev.damselfly.scheduler.client;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import dev.damselfly.scheduler.client.host.HostFactsCollector;
import dev.damselfly.scheduler.client.host.HostIdentity;
import dev.damselfly.scheduler.client.validation.MessageValidator;
import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import dev.damselfly.scheduler.proto.common.v2.Piece;
import dev.damselfly.scheduler.proto.common.v2.TrafficType;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnounceHostRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.DeleteHostRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.EmptyTaskResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.NeedBackToSourceResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.NormalTaskResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.SchedulerGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client session against a scripted scheduler on loopback: which messages it sends, in which order, with
 * which ids, and that each passes the real scheduler's validation rules.
 */
class PeerSessionTest {
    @TempDir
    Path dir;

    private final List<AnnouncePeerRequest> received = new CopyOnWriteArrayList<>();
    private final List<String> hostCalls = new CopyOnWriteArrayList<>();
    private CountDownLatch streamClosed;
    private Server server;
    private SchedulerClient client;

    /**
     * Answers a register according to the URL's last path segment: "empty", "forbidden", else back to source; and a
     * reschedule with one parent, "holder".
     */
    private final class ScriptedScheduler extends SchedulerGrpc.SchedulerImplBase {
        @Override
        public void announceHost(AnnounceHostRequest request, StreamObserver<Empty> out) {
            hostCalls.add("announce " + request.getHost().getId());
            out.onNext(Empty.getDefaultInstance());
            out.onCompleted();
        }

        @Override
        public void deleteHost(DeleteHostRequest request, StreamObserver<Empty> out) {
            hostCalls.add("delete " + request.getHostId());
            out.onNext(Empty.getDefaultInstance());
            out.onCompleted();
        }

        @Override
        public StreamObserver<AnnouncePeerRequest> announcePeer(StreamObserver<AnnouncePeerResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(AnnouncePeerRequest r) {
                    received.add(r);
                    if (r.hasReschedulePeerRequest()) {
                        out.onNext(AnnouncePeerResponse.newBuilder().setNormalTaskResponse(NormalTaskResponse.newBuilder()
                                .addCandidateParents(Peer.newBuilder().setId("holder"))).build());
                    } else if (r.hasRegisterPeerRequest()) {
                        String url = r.getRegisterPeerRequest().getDownload().getUrl();
                        if (url.endsWith("/empty")) {
                            out.onNext(AnnouncePeerResponse.newBuilder()
                                    .setEmptyTaskResponse(EmptyTaskResponse.getDefaultInstance()).build());
                        } else if (url.endsWith("/forbidden")) {
                            out.onError(Status.FAILED_PRECONDITION.withDescription("forbidden").asRuntimeException());
                        } else {
                            out.onNext(AnnouncePeerResponse.newBuilder().setNeedBackToSourceResponse(
                                    NeedBackToSourceResponse.newBuilder().setDescription("first peer")).build());
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                    streamClosed.countDown();
                }

                @Override
                public void onCompleted() {
                    out.onCompleted();
                    streamClosed.countDown();
                }
            };
        }
    }

    @BeforeEach
    void start() throws Exception {
        streamClosed = new CountDownLatch(1);
        HealthStatusManager health = new HealthStatusManager();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new ScriptedScheduler()).addService(health.getHealthService()).build().start();
        HostIdentity id = HostIdentity.of("127.0.0.1", "node-a", 4000, dir);
        client = SchedulerClient.start(SchedulerClientConfig.defaults(List.of("127.0.0.1:" + server.getPort()))
                .withScheduleTimeout(Duration.ofSeconds(5)).withReconnect(Duration.ofMillis(50), Duration.ofMillis(100), 1),
                new HostFactsCollector(id, OptionalLong::empty));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    }

    private static Piece piece(int n) {
        return Piece.newBuilder().setNumber(n).setOffset(n * 4L << 20).setLength(4L << 20).setDigest("crc32:" + n)
                .setTrafficType(TrafficType.BACK_TO_SOURCE)
                .setCost(com.google.protobuf.Duration.newBuilder().setNanos(1000))
                .setCreatedAt(Timestamp.newBuilder().setSeconds(1)).build();
    }

    private static Download download(String url) {
        return Download.newBuilder().setUrl(url).setActualContentLength(8L << 20).setActualPieceLength(4L << 20)
                .setActualPieceCount(2).build();
    }

    /** Finishes {@code s}, waits for the stream to close and returns what the scheduler received, in order. */
    private List<AnnouncePeerRequest.RequestCase> finishAndListRequests(PeerSession s) throws InterruptedException {
        s.finished();
        assertTrue(streamClosed.await(5, TimeUnit.SECONDS), "client half-closed the stream");
        return received.stream().map(AnnouncePeerRequest::getRequestCase).toList();
    }

    @Test
    void backToSourceConversation() throws Exception {
        PeerSession s = client.openPeer("task-1", "peer-1", download("https://origin/blob"));
        assertThrows(IllegalSessionStateException.class, () -> s.pieceBackToSourceFinished(piece(0)));
        ScheduleDecision.BackToSource d = assertInstanceOf(ScheduleDecision.BackToSource.class, s.register());
        assertEquals("first peer", d.reason());
        assertEquals(PeerSession.State.BACK_TO_SOURCE, s.state());
        assertThrows(IllegalSessionStateException.class, () -> s.reschedule(List.of(), "x"));
        s.pieceBackToSourceFinished(piece(0));
        s.pieceBackToSourceFinished(piece(1));
        List<AnnouncePeerRequest.RequestCase> order = finishAndListRequests(s);
        assertEquals(List.of(AnnouncePeerRequest.RequestCase.REGISTER_PEER_REQUEST,
                AnnouncePeerRequest.RequestCase.DOWNLOAD_PEER_BACK_TO_SOURCE_STARTED_REQUEST,
                AnnouncePeerRequest.RequestCase.DOWNLOAD_PIECE_BACK_TO_SOURCE_FINISHED_REQUEST,
                AnnouncePeerRequest.RequestCase.DOWNLOAD_PIECE_BACK_TO_SOURCE_FINISHED_REQUEST,
                AnnouncePeerRequest.RequestCase.DOWNLOAD_PEER_BACK_TO_SOURCE_FINISHED_REQUEST), order);
        for (AnnouncePeerRequest r : received) {
            assertEquals("127.0.0.1-node-a", r.getHostId());
            assertEquals("task-1", r.getTaskId());
            assertEquals("peer-1", r.getPeerId());
            assertDoesNotThrow(() -> MessageValidator.validate(r));
        }
        assertEquals(8L << 20, received.get(0).getRegisterPeerRequest().getDownload().getActualContentLength());
        // reserved fields 1/2 still reach schedulers ≤ v2.3.x, which read the task length from them
        var legacy = received.get(4).getDownloadPeerBackToSourceFinishedRequest().getUnknownFields();
        assertEquals(List.of(8L << 20), legacy.getField(1).getVarintList());
        assertEquals(List.of(2L), legacy.getField(2).getVarintList());
    }

    @Test
    void aPeerReadingFromTheOriginAsksForHoldersAndStaysAReader() throws Exception {
        PeerSession s = client.openPeer("task-1", "peer-1", download("https://origin/blob"));
        assertInstanceOf(ScheduleDecision.BackToSource.class, s.register());
        ScheduleDecision.Parents holders = assertInstanceOf(ScheduleDecision.Parents.class,
                s.refreshParents("top-up 1"));
        assertEquals("holder", holders.candidates().get(0).getId());
        assertEquals(PeerSession.State.BACK_TO_SOURCE, s.state(), "parents for a reader leave it reading");
        s.pieceBackToSourceFinished(piece(0));
        s.pieceFailed(1, "holder", true);
        List<AnnouncePeerRequest.RequestCase> order = finishAndListRequests(s);
        assertEquals(List.of(AnnouncePeerRequest.RequestCase.REGISTER_PEER_REQUEST,
                AnnouncePeerRequest.RequestCase.DOWNLOAD_PEER_BACK_TO_SOURCE_STARTED_REQUEST,
                AnnouncePeerRequest.RequestCase.RESCHEDULE_PEER_REQUEST,
                AnnouncePeerRequest.RequestCase.DOWNLOAD_PIECE_BACK_TO_SOURCE_FINISHED_REQUEST,
                AnnouncePeerRequest.RequestCase.DOWNLOAD_PIECE_FAILED_REQUEST,
                AnnouncePeerRequest.RequestCase.DOWNLOAD_PEER_BACK_TO_SOURCE_FINISHED_REQUEST), order,
                "no DownloadPeerStarted: the scheduler still counts it a back-to-source peer");
    }

    @Test
    void emptyTaskIsFinishedBySession() throws Exception {
        PeerSession s = client.openPeer("task-2", "peer-2", download("https://origin/empty"));
        assertInstanceOf(ScheduleDecision.EmptyTask.class, s.register());
        assertEquals(PeerSession.State.FINISHED, s.state());
        assertTrue(streamClosed.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(AnnouncePeerRequest.RequestCase.REGISTER_PEER_REQUEST,
                AnnouncePeerRequest.RequestCase.DOWNLOAD_PEER_STARTED_REQUEST,
                AnnouncePeerRequest.RequestCase.DOWNLOAD_PEER_FINISHED_REQUEST),
                received.stream().map(AnnouncePeerRequest::getRequestCase).toList());
    }

    @Test
    void rejectionFallsBackToOriginOrFailsWhenOriginIsDisabled() {
        PeerSession s = client.openPeer("task-3", "peer-3", download("https://origin/forbidden"));
        ScheduleDecision.BackToSource d = assertInstanceOf(ScheduleDecision.BackToSource.class, s.register());
        assertTrue(!d.fromScheduler() && d.reason().contains("FAILED_PRECONDITION"), d.reason());
        assertEquals(PeerSession.State.DETACHED, s.state());
        s.pieceBackToSourceFinished(piece(0)); // dropped, no exception
        s.finished();

        PeerSession strict = client.openPeer("task-4", "peer-4",
                download("https://origin/forbidden").toBuilder().setDisableBackToSource(true).build());
        SchedulerUnavailableException e = assertThrows(SchedulerUnavailableException.class, strict::register);
        assertEquals("peer-4", e.peerId());
    }

    @Test
    void invalidDownloadIsRefusedBeforeSending() {
        assertThrows(dev.damselfly.scheduler.client.validation.InvalidMessageException.class,
                () -> client.openPeer("t", "p", Download.newBuilder().setUrl("https://x/y").setPieceLength(1).build()));
    }

    @Test
    void hostIsAnnouncedPeriodically() throws Exception {
        HostIdentity id = HostIdentity.of("127.0.0.1", "node-b", 4000, dir);
        try (SchedulerClient fast = SchedulerClient.start(SchedulerClientConfig.defaults(
                List.of("127.0.0.1:" + server.getPort())).withAnnounceInterval(Duration.ofMillis(50)),
                new HostFactsCollector(id, OptionalLong::empty))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (hostCalls.stream().filter(c -> c.equals("announce 127.0.0.1-node-b")).count() < 3
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(hostCalls.stream().filter(c -> c.equals("announce 127.0.0.1-node-b")).count() >= 3, hostCalls.toString());
        }
        assertTrue(hostCalls.contains("delete 127.0.0.1-node-b"));
    }

    @Test
    void hostIsAnnouncedAtStartAndDeletedAtClose() {
        assertEquals(List.of("announce 127.0.0.1-node-a"), hostCalls);
        client.close();
        assertEquals(List.of("announce 127.0.0.1-node-a", "delete 127.0.0.1-node-a"), hostCalls);
    }
}
