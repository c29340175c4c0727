package dev.damselfly.scheduler.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.scheduler.client.PeerSession;
import dev.damselfly.scheduler.client.ScheduleDecision;
import dev.damselfly.scheduler.client.SchedulerClientConfig;
import dev.damselfly.scheduler.client.id.TaskIds;
import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DfdaemonUploadGrpc;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DownloadTaskRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DownloadTaskResponse;
import dev.damselfly.scheduler.server.resource.HostRecord;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.SchedulerConfig.ParentGraph;
import dev.damselfly.scheduler.server.resource.TaskDag;
import dev.damselfly.scheduler.server.resource.TaskRecord;
import dev.damselfly.scheduler.server.scheduling.SeedPeerTrigger;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many in-process peers (each its own host and SchedulerClient, over loopback gRPC) download one task. A
 * simulated data plane records which peer holds which piece; a checker thread samples the scheduler's DAG.
 */
class SimulationTest {
    private static final int PIECES = 8;
    private static final int UPLOAD_SLOTS = 6;

    /** Which pieces each peer holds (the stand-in for SyncPieces). */
    private final Map<String, BitSet> holdings = new ConcurrentHashMap<>();
    private final Set<String> finishedPeers = ConcurrentHashMap.newKeySet();
    private final Set<String> schedulerBackToSource = ConcurrentHashMap.newKeySet();
    private final AtomicInteger clientFallbacks = new AtomicInteger();
    private final AtomicInteger reschedules = new AtomicInteger();

    private static SchedulerConfig simConfig(int backToSourceCount, int retryBackToSourceLimit, ParentGraph graph) {
        return SchedulerConfig.defaults()
                .withParentGraph(graph)
                .withRetry(400, Duration.ofMillis(20), retryBackToSourceLimit)
                .withBackToSourceCount(backToSourceCount)
                .withUploadLimits(UPLOAD_SLOTS, UPLOAD_SLOTS * 4);
    }

    private static SchedulerClientConfig clientConfig(int port) {
        return TestNode.fastConfig(port).withMaxScheduleCount(50);
    }

    @ParameterizedTest
    @EnumSource(ParentGraph.class)
    void twoHundredPeersWithoutSeedLimitBackToSourceToTheFirstPeers(ParentGraph graph) throws Exception {
        int btsCount = 3;
        try (SchedulerServer server = new SchedulerServer(simConfig(btsCount, 4, graph)).start(0)) {
            String url = "https://origin.example/layer.tar";
            runSwarm(server, url, 200, null);
            int bts = schedulerBackToSource.size();
            assertTrue(bts >= 1 && bts <= btsCount, "back-to-source peers: " + schedulerBackToSource);
            assertEquals(bts, server.scheduling().backToSourceDecisions());
        }
    }

    @Test
    void seedPeerIsTheOnlyOneToReachTheOrigin() throws Exception {
        AtomicReference<TestNode> seedNode = new AtomicReference<>();
        AtomicInteger triggers = new AtomicInteger();
        ExecutorService seedRunner = Executors.newSingleThreadExecutor();
        // the seed's DfdaemonUpload: DownloadTask makes the seed download from the origin via its own session
        Server seedUpload = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new DfdaemonUploadGrpc.DfdaemonUploadImplBase() {
                    @Override
                    public void downloadTask(DownloadTaskRequest request, StreamObserver<DownloadTaskResponse> out) {
                        triggers.incrementAndGet();
                        seedRunner.submit(() -> {
                            String taskId = TaskIds.taskId(request.getDownload().getUrl());
                            assertTrue(request.getDownload().getNeedBackToSource());
                            runPeer(seedNode.get(), taskId, request.getDownload());
                            out.onCompleted();
                        });
                    }
                }).build().start();
        SeedPeerTrigger trigger = new SeedPeerTrigger() {
            private final SeedPeerTrigger grpc = new dev.damselfly.scheduler.server.scheduling.GrpcSeedPeerTrigger();

            @Override
            public void trigger(HostRecord seed, String taskId, Download download, Runnable onFailure) {
                // the seed host announces port 4000; its test DfdaemonUpload listens on a free port
                HostRecord target = new HostRecord(seed.host().toBuilder().setPort(seedUpload.getPort()).build(),
                        seed.uploadLimit(), System.nanoTime());
                grpc.trigger(target, taskId, download, onFailure);
            }

            @Override
            public void close() {
                grpc.close();
            }
        };
        try (SchedulerServer server = new SchedulerServer(simConfig(1, 1000, ParentGraph.DAG), trigger).start(0)) {
            seedNode.set(new TestNode("seed-0", server.port(), true, clientConfig(server.port())));
            String url = "https://origin.example/seeded.tar";
            runSwarm(server, url, 100, seedNode.get());
            assertEquals(1, triggers.get(), "seed triggered once");
            assertEquals(1, schedulerBackToSource.size());
            assertTrue(schedulerBackToSource.iterator().next().endsWith("-seed"), schedulerBackToSource.toString());
        } finally {
            seedNode.get().close();
            seedUpload.shutdownNow();
            seedRunner.shutdownNow();
        }
    }

    private void runSwarm(SchedulerServer server, String url, int peers, TestNode seed) throws Exception {
        String taskId = TaskIds.taskId(url);
        List<TestNode> nodes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(peers);
        AtomicBoolean checking = new AtomicBoolean(true);
        List<String> violations = new ArrayList<>();
        List<String> slotViolations = new ArrayList<>();
        AtomicInteger busiestNormal = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        Thread checker = new Thread(() -> {
            while (checking.get()) {
                TaskRecord t = server.resources().task(taskId);
                if (t != null) {
                    synchronized (t) {
                        if (server.config().parentGraph() == ParentGraph.DAG && !TaskDag.isAcyclic(t.peersSnapshot())) {
                            violations.add("cycle in the DAG");
                        }
                        for (PeerRecord p : t.peersSnapshot()) {
                            if (p.parents().contains(p) || p.children().contains(p)) {
                                violations.add(p.id() + " is its own parent");
                            }
                            if (p.children().size() > p.host().uploadLimit()) {
                                violations.add(p.id() + " has " + p.children().size() + " children");
                            }
                        }
                    }
                    samples.incrementAndGet();
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "dag-checker");
        checker.start();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < peers; i++) {
                nodes.add(new TestNode("node-" + i, server.port(), false, clientConfig(server.port())));
            }
            List<Future<?>> done = new ArrayList<>();
            for (TestNode n : nodes) {
                done.add(pool.submit(() -> runPeer(n, taskId, TestNode.download(url, PIECES))));
            }
            for (Future<?> f : done) {
                f.get(90, TimeUnit.SECONDS);
            }
            for (HostRecord h : server.resources().hosts()) {
                if (h.maxUploadSlotsInUse() > h.uploadLimit()) {
                    slotViolations.add(h.id() + " used " + h.maxUploadSlotsInUse() + " of " + h.uploadLimit());
                }
                if (!h.isSeed()) {
                    busiestNormal.accumulateAndGet(h.maxUploadSlotsInUse(), Math::max);
                }
            }
        } finally {
            checking.set(false);
            checker.join();
            pool.shutdownNow();
            for (TestNode n : nodes) {
                n.close();
            }
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (seed != null && finishedPeers.size() < peers + 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(), violations);
        assertTrue(samples.get() > 10, "DAG samples: " + samples.get());
        assertEquals(peers + (seed == null ? 0 : 1), finishedPeers.size(), "finished peers");
        assertEquals(0, clientFallbacks.get(), "no peer gave up on the scheduler");
        assertEquals(List.of(), slotViolations);
        assertEquals(UPLOAD_SLOTS, busiestNormal.get(), "the slot limit was reached (and held) by the busiest normal parent");
        System.out.printf("swarm of %d peers done in %d ms, %d reschedules, %d DAG samples%n", peers, ms,
                reschedules.get(), samples.get());
    }

    /** One peer's download, driven by the scheduler's decisions. */
    private void runPeer(TestNode node, String taskId, Download download) {
        PeerSession s = node.open(taskId, download);
        BitSet mine = new BitSet();
        holdings.put(s.peerId(), mine);
        try {
            ScheduleDecision d = s.register();
            while (true) {
                if (d instanceof ScheduleDecision.BackToSource bts) {
                    if (!bts.fromScheduler()) {
                        clientFallbacks.incrementAndGet();
                        return;
                    }
                    schedulerBackToSource.add(s.peerId());
                    for (int i = 0; i < PIECES; i++) {
                        Thread.sleep(2);
                        synchronized (mine) {
                            mine.set(i);
                        }
                        s.pieceBackToSourceFinished(Fixtures.piece(i, null));
                    }
                    s.finished();
                    finishedPeers.add(s.peerId());
                    return;
                }
                List<Peer> parents = ((ScheduleDecision.Parents) d).candidates();
                if (downloadFromParents(s, mine, parents)) {
                    s.finished();
                    finishedPeers.add(s.peerId());
                    return;
                }
                reschedules.incrementAndGet();
                d = s.reschedule(parents, "parents stalled");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            s.close();
        }
    }

    /** Takes pieces the parents hold; false when no progress for 2 s (then the caller reschedules). */
    private boolean downloadFromParents(PeerSession s, BitSet mine, List<Peer> parents) throws InterruptedException {
        long lastProgress = System.nanoTime();
        while (true) {
            int next;
            synchronized (mine) {
                next = mine.nextClearBit(0);
            }
            if (next >= PIECES) {
                return true;
            }
            boolean progressed = false;
            for (int piece = next; piece < PIECES; piece++) {
                synchronized (mine) {
                    if (mine.get(piece)) {
                        continue;
                    }
                }
                for (Peer p : parents) {
                    BitSet theirs = holdings.get(p.getId());
                    boolean has;
                    synchronized (theirs) {
                        has = theirs.get(piece);
                    }
                    if (has) {
                        Thread.sleep(1);
                        synchronized (mine) {
                            mine.set(piece);
                        }
                        s.pieceFinished(Fixtures.piece(piece, p.getId()));
                        progressed = true;
                        break;
                    }
                }
            }
            if (progressed) {
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(2)) {
                return false;
            } else {
                Thread.sleep(5);
            }
        }
    }
}
