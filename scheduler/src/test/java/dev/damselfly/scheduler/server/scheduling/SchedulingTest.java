package dev.damselfly.scheduler.server.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerResponse;
import dev.damselfly.scheduler.server.Fixtures;
import dev.damselfly.scheduler.server.SchedulerConfig;
import dev.damselfly.scheduler.server.TestNode;
import dev.damselfly.scheduler.server.resource.HostRecord;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.resource.PeerState;
import dev.damselfly.scheduler.server.resource.TaskDag;
import dev.damselfly.scheduler.server.resource.ResourceStore;
import dev.damselfly.scheduler.server.resource.TaskRecord;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Seed choice, the thundering-herd delay (spec §3.7) and who goes to the origin. */
class SchedulingTest {
    private static final long MS = 1_000_000L;
    /** Retries every 50 ms (20 at most, back to source after 10): answers come quickly. */
    private static final SchedulerConfig FAST_RETRY = SchedulerConfig.defaults().withRetry(20, Duration.ofMillis(50), 10);

    private final ResourceStore store = new ResourceStore(SchedulerConfig.defaults().normalUploadLimit(),
            SchedulerConfig.defaults().seedUploadLimit());

    /** Scheduling over {@link #store} whose seed triggers always fail (no seed peers here). */
    private Scheduling scheduling(SchedulerConfig config) {
        return new Scheduling(config, store, (seed, task, d, onFailure) -> onFailure.run());
    }

    @Test
    void herdDelayGrowsWithConcurrentRegistrationsAndIsCapped() {
        assertEquals(0, Scheduling.herdDelayNanos(1));
        for (int i = 0; i < 50; i++) {
            long d2 = Scheduling.herdDelayNanos(2);
            assertTrue(d2 >= 15 * MS && d2 <= 30 * MS, "2 in flight: " + d2);
            long d4 = Scheduling.herdDelayNanos(4);
            assertTrue(d4 >= 60 * MS && d4 <= 120 * MS, "4 in flight: " + d4);
            long d30 = Scheduling.herdDelayNanos(30);
            assertTrue(d30 >= 500 * MS && d30 <= 1000 * MS, "30 in flight: " + d30);
        }
    }

    @Test
    void seedChoiceIsStablePerTaskAndSpreadsTasks() {
        List<HostRecord> seeds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seeds.add(new HostRecord(Fixtures.host("seed" + i, 1, null, null, 1).toBuilder().setIp("10.0.0." + i).build(),
                    2000, 0));
        }
        java.util.Set<String> chosen = new java.util.HashSet<>();
        for (int t = 0; t < 200; t++) {
            String task = "task-" + t;
            HostRecord a = SeedRing.choose(seeds, task).orElseThrow();
            assertEquals(a, SeedRing.choose(List.of(seeds.get(2), seeds.get(0), seeds.get(1)), task).orElseThrow());
            chosen.add(a.id());
        }
        assertEquals(3, chosen.size());
        assertTrue(SeedRing.choose(List.of(), "t").isEmpty());
    }

    /** Collects the one answer a registration gets. */
    private static final class Answer implements Responder {
        final CompletableFuture<AnnouncePeerResponse> response = new CompletableFuture<>();

        @Override
        public void respond(AnnouncePeerResponse r) {
            response.complete(r);
        }

        @Override
        public void fail(Status status) {
            response.completeExceptionally(status.asRuntimeException());
        }
    }

    @Test
    void aPeerRegisteringWhileAnotherIsHeadedForTheOriginWaitsForItInsteadOfFetchingTwice() throws Exception {
        try (Scheduling scheduling = scheduling(FAST_RETRY)) {
            TaskRecord task = store.taskOrCreate("t", System.nanoTime());
            HostRecord a = Fixtures.hostRecord(store, "a");
            HostRecord b = Fixtures.hostRecord(store, "b");
            // host a already has a registration in flight: its peer's first attempt waits out the herd delay
            a.beginRegistration();
            PeerRecord first = Fixtures.peer(store, task, a, "first");
            PeerRecord second = Fixtures.peer(store, task, b, "second");
            Answer firstAnswer = register(scheduling, first);
            Answer secondAnswer = register(scheduling, second);

            AnnouncePeerResponse r1 = firstAnswer.response.get(5, TimeUnit.SECONDS);
            assertTrue(r1.hasNeedBackToSourceResponse(), "the first peer fetches from the origin: " + r1);
            AnnouncePeerResponse r2 = secondAnswer.response.get(5, TimeUnit.SECONDS);
            assertTrue(r2.hasNormalTaskResponse(), "the second peer gets the first as parent: " + r2);
            assertEquals("first", r2.getNormalTaskResponse().getCandidateParents(0).getId());
            assertEquals(1, scheduling.backToSourceDecisions());
        }
    }

    @Test
    void aHostAlreadyFetchingFromTheOriginHandsANewTaskOverToAnIdleHost() throws Exception {
        try (Scheduling scheduling = scheduling(FAST_RETRY)) {
            HostRecord a = Fixtures.hostRecord(store, "a");
            HostRecord b = Fixtures.hostRecord(store, "b");
            fetchingFromOrigin(a, "t1"); // host a fetches t1 from the origin
            TaskRecord second = store.taskOrCreate("t2", System.nanoTime());
            PeerRecord fromA = Fixtures.peer(store, second, a, "a-t2");
            PeerRecord fromB = Fixtures.peer(store, second, b, "b-t2");
            long t0 = System.nanoTime();
            Answer answerA = register(scheduling, fromA);
            Answer answerB = register(scheduling, fromB);

            AnnouncePeerResponse rb = answerB.response.get(5, TimeUnit.SECONDS);
            assertTrue(rb.hasNeedBackToSourceResponse(), "b, fetching nothing from the origin, takes t2 over: " + rb);
            AnnouncePeerResponse ra = answerA.response.get(5, TimeUnit.SECONDS);
            assertTrue(ra.hasNormalTaskResponse(), "a gets b as its parent: " + ra);
            assertEquals("b-t2", ra.getNormalTaskResponse().getCandidateParents(0).getId());
            assertTrue(System.nanoTime() - t0 >= Scheduling.SOURCE_HANDOFF_WINDOW_NANOS, "a waited out the window");
            assertEquals(1, scheduling.backToSourceDecisions(), "still one origin fetch for t2");
        }
    }

    @Test
    void aLoneHostAlreadyFetchingFromTheOriginGetsTheNextTaskWithoutWaiting() throws Exception {
        try (Scheduling scheduling = scheduling(FAST_RETRY)) {
            HostRecord a = Fixtures.hostRecord(store, "a");
            fetchingFromOrigin(a, "t1");
            TaskRecord second = store.taskOrCreate("t2", System.nanoTime());
            PeerRecord next = Fixtures.peer(store, second, a, "a-t2");
            long t0 = System.nanoTime();
            Answer answer = register(scheduling, next);
            AnnouncePeerResponse r = answer.response.get(5, TimeUnit.SECONDS);
            long waited = System.nanoTime() - t0;
            assertTrue(r.hasNeedBackToSourceResponse(), r.toString());
            assertTrue(waited < Scheduling.SOURCE_HANDOFF_WINDOW_NANOS / 2,
                    "no other host could take it over, so no window: " + waited / MS + " ms");
        }
    }

    @Test
    void aHostWaitsTheWindowWhileAnIdleHostLivesAndFetchesItselfWhenNobodyTakesOver() throws Exception {
        try (Scheduling scheduling = scheduling(FAST_RETRY)) {
            HostRecord a = Fixtures.hostRecord(store, "a");
            Fixtures.hostRecord(store, "idle"); // live, fetching nothing from the origin, not interested in t2
            fetchingFromOrigin(a, "t1");
            TaskRecord second = store.taskOrCreate("t2", System.nanoTime());
            PeerRecord next = Fixtures.peer(store, second, a, "a-t2");
            long t0 = System.nanoTime();
            Answer answer = register(scheduling, next);
            AnnouncePeerResponse r = answer.response.get(10, TimeUnit.SECONDS);
            long waited = System.nanoTime() - t0;
            assertTrue(r.hasNeedBackToSourceResponse(), r.toString());
            assertTrue(waited >= Scheduling.SOURCE_HANDOFF_WINDOW_NANOS
                            && waited < Scheduling.SOURCE_HANDOFF_WINDOW_NANOS + 2_000_000_000L,
                    "the window, not a retry loop: " + waited / MS + " ms");
            assertEquals(1, scheduling.backToSourceDecisions());
        }
    }

    @Test
    void peersWaitingForASourceInItsWindowDoNotGoToTheOriginThemselves() throws Exception {
        try (Scheduling scheduling = scheduling(FAST_RETRY)) { // 10 attempts of 50 ms, far shorter than the window
            HostRecord a = Fixtures.hostRecord(store, "a");
            HostRecord b = Fixtures.hostRecord(store, "b");
            Fixtures.hostRecord(store, "idle"); // keeps the window open for a
            fetchingFromOrigin(a, "t1");
            fetchingFromOrigin(b, "t3"); // b cannot take t2 over
            TaskRecord second = store.taskOrCreate("t2", System.nanoTime());
            PeerRecord fromA = Fixtures.peer(store, second, a, "a-t2");
            PeerRecord fromB = Fixtures.peer(store, second, b, "b-t2");
            Answer answerA = register(scheduling, fromA);
            Answer answerB = register(scheduling, fromB);
            AnnouncePeerResponse ra = answerA.response.get(10, TimeUnit.SECONDS);
            assertTrue(ra.hasNeedBackToSourceResponse(), "a fetches t2 after its window: " + ra);
            AnnouncePeerResponse rb = answerB.response.get(10, TimeUnit.SECONDS);
            assertTrue(rb.hasNormalTaskResponse(), "b waited for a rather than fetching t2 too: " + rb);
            assertEquals("a-t2", rb.getNormalTaskResponse().getCandidateParents(0).getId());
            assertEquals(1, scheduling.backToSourceDecisions(), "one origin fetch for t2");
        }
    }

    @Test
    void noWindowWhenEveryOtherHostFetchesFromTheOriginAlready() throws Exception {
        try (Scheduling scheduling = scheduling(FAST_RETRY)) {
            HostRecord a = Fixtures.hostRecord(store, "a");
            HostRecord b = Fixtures.hostRecord(store, "b");
            fetchingFromOrigin(a, "t1");
            fetchingFromOrigin(b, "t3");
            TaskRecord second = store.taskOrCreate("t2", System.nanoTime());
            PeerRecord next = Fixtures.peer(store, second, a, "a-t2");
            long t0 = System.nanoTime();
            Answer answer = register(scheduling, next);
            AnnouncePeerResponse r = answer.response.get(5, TimeUnit.SECONDS);
            assertTrue(r.hasNeedBackToSourceResponse(), r.toString());
            assertTrue(System.nanoTime() - t0 < Scheduling.SOURCE_HANDOFF_WINDOW_NANOS / 2, "nobody idle to wait for");
        }
    }

    @Test
    void aTopUpAddsPeersThatGainedPiecesAndKeepsTheCurrentParents() throws Exception {
        try (Scheduling scheduling = scheduling(SchedulerConfig.defaults())) {
            long now = System.nanoTime();
            TaskRecord task = store.taskOrCreate("t", now);
            PeerRecord source = Fixtures.peer(store, task, Fixtures.hostRecord(store, "src"), "source");
            PeerRecord early = Fixtures.peer(store, task, Fixtures.hostRecord(store, "early"), "early");
            PeerRecord late = Fixtures.peer(store, task, Fixtures.hostRecord(store, "late"), "late");
            synchronized (task) {
                source.setState(PeerState.BACK_TO_SOURCE, now);
                early.setState(PeerState.RUNNING, now);
                late.setState(PeerState.RUNNING, now);
                TaskDag.addEdge(source, early, false);
                TaskDag.addEdge(source, late, false);
                for (int i = 0; i < 3; i++) {
                    source.finishPiece(i, Fixtures.PIECE, 1_000_000, now);
                    early.finishPiece(i, Fixtures.PIECE, 1_000_000, now);
                }
            }
            Answer answer = new Answer();
            scheduling.reschedule(late, List.of(), answer);
            AnnouncePeerResponse r = answer.response.get(5, TimeUnit.SECONDS);
            assertTrue(r.hasNormalTaskResponse(), "a top-up while the source lives is not sent back to source: " + r);
            List<String> ids = r.getNormalTaskResponse().getCandidateParentsList().stream()
                    .map(dev.damselfly.scheduler.proto.common.v2.Peer::getId).toList();
            assertTrue(ids.contains("early"), "the peer that gained pieces is offered: " + ids);
            assertTrue(ids.contains("source"), "the current parent is kept: " + ids);
            assertTrue(late.parents().contains(source) && late.parents().contains(early), "both are linked in the DAG");
            assertEquals(0, scheduling.backToSourceDecisions());
            assertEquals(1, scheduling.topUpDecisions());
        }
    }

    @Test
    void aTopUpAfterTheSourceLeftSendsOnePeerToTheOriginAndTheOthersToIt() throws Exception {
        try (Scheduling scheduling = scheduling(SchedulerConfig.defaults())) {
            long now = System.nanoTime();
            TaskRecord task = store.taskOrCreate("t", now);
            List<PeerRecord> peers = peersOnOwnHosts(task, "source", "a", "b");
            PeerRecord source = peers.get(0);
            PeerRecord a = peers.get(1);
            PeerRecord b = peers.get(2);
            prepare(task, 4, peers, PeerState.BACK_TO_SOURCE, PeerState.RUNNING, PeerState.RUNNING);
            synchronized (task) {
                TaskDag.addEdge(source, a, true);
                TaskDag.addEdge(source, b, true);
                TaskDag.addEdge(a, b, true);
                TaskDag.addEdge(b, a, true); // a mesh: a and b serve each other
                for (int i = 0; i < 2; i++) { // pieces 2 and 3 were only ever at the source
                    source.finishPiece(i, Fixtures.PIECE, 1_000_000, now);
                    a.finishPiece(i, Fixtures.PIECE, 1_000_000, now);
                    b.finishPiece(i, Fixtures.PIECE, 1_000_000, now);
                }
            }
            assertTrue(topUp(scheduling, a).hasNormalTaskResponse(), "the source still fetches pieces 2 and 3");

            scheduling.left(source); // killed: its stream ended
            AnnouncePeerResponse first = topUp(scheduling, a);
            assertTrue(first.hasNeedBackToSourceResponse(), "nobody has or fetches pieces 2 and 3: " + first);
            assertEquals(PeerState.BACK_TO_SOURCE, a.state());
            AnnouncePeerResponse second = topUp(scheduling, b);
            assertTrue(second.hasNormalTaskResponse(), "a fetches from the origin now: " + second);
            assertEquals("a", second.getNormalTaskResponse().getCandidateParents(0).getId());
            assertEquals(1, scheduling.backToSourceDecisions());
        }
    }

    @Test
    void aTopUpStaysWithPeersWhenTogetherTheyHaveEveryPiece() throws Exception {
        try (Scheduling scheduling = scheduling(SchedulerConfig.defaults())) {
            long now = System.nanoTime();
            TaskRecord task = store.taskOrCreate("t", now);
            List<PeerRecord> peers = peersOnOwnHosts(task, "a", "b", "c");
            PeerRecord a = peers.get(0);
            PeerRecord b = peers.get(1);
            PeerRecord c = peers.get(2);
            prepare(task, 4, peers, PeerState.RUNNING, PeerState.RUNNING, PeerState.RUNNING);
            synchronized (task) {
                TaskDag.addEdge(b, c, true);
                TaskDag.addEdge(c, b, true); // a mesh: b and c serve each other
                for (int i = 0; i < 4; i++) { // b has pieces 0 and 1, c has 2 and 3, nobody fetches from the origin
                    (i < 2 ? b : c).finishPiece(i, Fixtures.PIECE, 1_000_000, now);
                }
            }
            AnnouncePeerResponse r = topUp(scheduling, a);
            assertTrue(r.hasNormalTaskResponse(), "b and c together hold every piece: " + r);
            assertEquals(2, r.getNormalTaskResponse().getCandidateParentsCount(), r.toString());
            assertEquals(0, scheduling.backToSourceDecisions());
        }
    }

    @Test
    void aChildTopsUpIntoASecondReaderWhenTheReadersHostFetchesMoreFromTheOriginAndTheReaderThenGetsIt()
            throws Exception {
        try (Scheduling scheduling = scheduling(SchedulerConfig.defaults())) {
            long now = System.nanoTime();
            TaskRecord task = store.taskOrCreate("t", now);
            List<PeerRecord> peers = peersOnOwnHosts(task, "a", "b", "c");
            PeerRecord a = peers.get(0);
            PeerRecord b = peers.get(1);
            PeerRecord c = peers.get(2);
            fetchingFromOrigin(a.host(), "other"); // a's host reads another task from the origin as well
            prepare(task, 64, peers, PeerState.BACK_TO_SOURCE, PeerState.RUNNING, PeerState.RUNNING);
            synchronized (task) {
                TaskDag.addEdge(a, b, true);
                TaskDag.addEdge(a, c, true);
                for (int i = 0; i < 10; i++) {
                    a.finishPiece(i, Fixtures.PIECE, 1_000_000, now);
                }
            }
            AnnouncePeerResponse striped = topUp(scheduling, b);
            assertTrue(striped.hasNeedBackToSourceResponse(), "54 pieces nobody holds, a's link shared: " + striped);
            assertTrue(striped.getNeedBackToSourceResponse().getDescription().startsWith("striped"), striped.toString());
            assertEquals(PeerState.BACK_TO_SOURCE, b.state());
            assertTrue(b.parents().contains(a), "the second reader keeps its parent");
            assertTrue(task.backToSourcePeers().contains(b.id()));

            AnnouncePeerResponse third = topUp(scheduling, c);
            assertTrue(third.hasNormalTaskResponse(), "two readers is the default limit: " + third);

            AnnouncePeerResponse beforeB = topUp(scheduling, a);
            assertEquals(0, beforeB.getNormalTaskResponse().getCandidateParentsCount(),
                    "b holds nothing a lacks yet: " + beforeB);
            synchronized (task) {
                for (int i = 60; i < 64; i++) {
                    b.finishPiece(i, Fixtures.PIECE, 1_000_000, now);
                }
                c.finishPiece(0, Fixtures.PIECE, 1_000_000, now); // c holds only what a has
            }
            AnnouncePeerResponse afterB = topUp(scheduling, a);
            assertEquals(List.of("b"), afterB.getNormalTaskResponse().getCandidateParentsList().stream()
                    .map(dev.damselfly.scheduler.proto.common.v2.Peer::getId).toList(), afterB.toString());
            assertEquals(PeerState.BACK_TO_SOURCE, a.state(), "the first reader stays one");
            assertEquals(1, scheduling.backToSourceDecisions());
        }
    }

    @Test
    void noStripeWhenTheReaderFetchesNothingElseFewPiecesRemainOrStripesAreOff() throws Exception {
        for (String variant : List.of("reader's host idle otherwise", "few pieces left", "stripes off", "dag")) {
            SchedulerConfig config = switch (variant) {
                case "stripes off" -> SchedulerConfig.defaults().withSourceStripes(1);
                case "dag" -> SchedulerConfig.defaults().withParentGraph(SchedulerConfig.ParentGraph.DAG);
                default -> SchedulerConfig.defaults();
            };
            try (Scheduling scheduling = scheduling(config)) {
                long now = System.nanoTime();
                TaskRecord task = store.taskOrCreate("t-" + variant, now);
                PeerRecord a = Fixtures.peer(store, task, Fixtures.hostRecord(store, "a-" + variant), "a-" + variant);
                PeerRecord b = Fixtures.peer(store, task, Fixtures.hostRecord(store, "b-" + variant), "b-" + variant);
                if (!variant.equals("reader's host idle otherwise")) {
                    fetchingFromOrigin(a.host(), "other-" + variant);
                }
                prepare(task, 64, List.of(a, b), PeerState.BACK_TO_SOURCE, PeerState.RUNNING);
                synchronized (task) {
                    TaskDag.addEdge(a, b, true);
                    int held = variant.equals("few pieces left") ? 49 : 10;
                    for (int i = 0; i < held; i++) {
                        a.finishPiece(i, Fixtures.PIECE, 1_000_000, now);
                    }
                }
                AnnouncePeerResponse r = topUp(scheduling, b);
                assertTrue(r.hasNormalTaskResponse(), variant + ": " + r);
                assertEquals(PeerState.RUNNING, b.state(), variant);
                assertEquals(0, scheduling.backToSourceDecisions(), variant);
            }
        }
    }

    /** Sets {@code task}'s piece count and each peer's state, in order, under the task's lock. */
    private static void prepare(TaskRecord task, int pieceCount, List<PeerRecord> peers, PeerState... states) {
        synchronized (task) {
            task.setPieceCount(pieceCount);
            for (int i = 0; i < peers.size(); i++) {
                peers.get(i).setState(states[i], System.nanoTime());
            }
        }
    }

    /** One peer of {@code task} per name, each on its own host of the same name. */
    private List<PeerRecord> peersOnOwnHosts(TaskRecord task, String... names) {
        List<PeerRecord> peers = new ArrayList<>();
        for (String name : names) {
            peers.add(Fixtures.peer(store, task, Fixtures.hostRecord(store, name), name));
        }
        return peers;
    }

    /** A top-up request (a reschedule naming no failed parent) from {@code peer}: the answer. */
    private static AnnouncePeerResponse topUp(Scheduling scheduling, PeerRecord peer) throws Exception {
        Answer answer = new Answer();
        scheduling.reschedule(peer, List.of(), answer);
        return answer.response.get(5, TimeUnit.SECONDS);
    }

    /** A peer of {@code host} that fetches task {@code taskId} from the origin. */
    private void fetchingFromOrigin(HostRecord host, String taskId) {
        TaskRecord task = store.taskOrCreate(taskId, System.nanoTime());
        PeerRecord peer = Fixtures.peer(store, task, host, host.id() + "-" + taskId);
        synchronized (task) {
            peer.setState(PeerState.BACK_TO_SOURCE, System.nanoTime());
        }
    }

    /** Registers {@code peer} for its task (URL https://example.com/TASK_ID, 4 pieces) and returns where the answer goes. */
    private static Answer register(Scheduling scheduling, PeerRecord peer) {
        Answer answer = new Answer();
        scheduling.register(peer, TestNode.download("https://example.com/" + peer.task().id(), 4), answer);
        return answer;
    }
}
