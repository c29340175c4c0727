package dev.damselfly.scheduler.server.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.server.Fixtures;
import dev.damselfly.scheduler.server.SchedulerConfig.ParentGraph;
import dev.damselfly.scheduler.server.resource.HostRecord;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.resource.PeerState;
import dev.damselfly.scheduler.server.resource.ResourceStore;
import dev.damselfly.scheduler.server.resource.TaskDag;
import dev.damselfly.scheduler.server.resource.TaskRecord;
import dev.damselfly.scheduler.server.scheduling.ParentSelector;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Evaluator scoring terms (§3.6), bad-node detection and the candidate filters (§3.5). */
class EvaluatorTest {
    private static final double EPS = 1e-9;
    private ResourceStore store;
    private TaskRecord task;

    @BeforeEach
    void setUp() {
        store = new ResourceStore(4, 20);
        task = store.taskOrCreate("t1", System.nanoTime());
        task.absorb(Download.newBuilder().setUrl("https://x/y").setActualContentLength(10 * Fixtures.PIECE)
                .setActualPieceLength(Fixtures.PIECE).build(), System.nanoTime());
    }

    private PeerRecord peer(String name, int type, String idc, String location, PeerState state) {
        HostRecord h = store.announceHost(Fixtures.host(name, type, idc, location, 10_000_000_000L), System.nanoTime());
        PeerRecord p = Fixtures.peer(store, task, h, "peer-" + name);
        p.setState(state, System.nanoTime());
        return p;
    }

    @Test
    void affinityTerms() {
        assertEquals(1, Evaluator.idcAffinity("IDC1", "idc1"), EPS);
        assertEquals(0, Evaluator.idcAffinity("", ""), EPS);
        assertEquals(0, Evaluator.idcAffinity("a", "b"), EPS);
        assertEquals(1, Evaluator.locationAffinity("cn|sh|a", "CN|SH|A"), EPS);
        assertEquals(0.4, Evaluator.locationAffinity("cn|sh|a", "cn|sh|b"), EPS);
        assertEquals(0.2, Evaluator.locationAffinity("cn|sh", "cn|bj"), EPS);
        assertEquals(0, Evaluator.locationAffinity("us", "cn"), EPS);
        assertEquals(0, Evaluator.locationAffinity("", "cn"), EPS);
    }

    @Test
    void hostTypeTerm() {
        assertEquals(0.5, Evaluator.hostTypeScore(peer("n", 0, null, null, PeerState.SUCCEEDED)), EPS);
        assertEquals(1, Evaluator.hostTypeScore(peer("s1", 1, null, null, PeerState.RUNNING)), EPS);
        assertEquals(0, Evaluator.hostTypeScore(peer("s2", 1, null, null, PeerState.SUCCEEDED)), EPS);
    }

    @Test
    void baseEvaluatorTerms() {
        PeerRecord parent = peer("p", 0, "idc1", "cn|sh", PeerState.RUNNING);
        PeerRecord child = peer("c", 0, "idc1", "cn|sh", PeerState.RECEIVED_NORMAL);
        for (int i = 0; i < 5; i++) {
            parent.finishPiece(i, Fixtures.PIECE, 1_000_000, System.nanoTime());
        }
        assertEquals(0.5, BaseEvaluator.pieces(parent, child, 10), EPS);
        assertEquals(5, BaseEvaluator.pieces(parent, child, 0), EPS);
        assertEquals(1, BaseEvaluator.uploadSuccess(parent.host()), EPS);
        parent.host().recordUpload(true);
        parent.host().recordUpload(true);
        parent.host().recordUpload(true);
        parent.host().recordUpload(false);
        assertEquals(0.75, BaseEvaluator.uploadSuccess(parent.host()), EPS);
        assertEquals(1, BaseEvaluator.freeUpload(parent.host()), EPS);
        assertTrue(parent.host().tryAcquireUploadSlot());
        assertEquals(0.75, BaseEvaluator.freeUpload(parent.host()), EPS);
        double expected = 0.2 * 0.5 + 0.2 * 0.75 + 0.15 * 0.75 + 0.15 * 0.5 + 0.15 * 1 + 0.15 * 1;
        assertEquals(expected, new BaseEvaluator().evaluate(parent, child, 10), EPS);
    }

    @Test
    void loadQualityEvaluator() {
        PeerRecord parent = peer("p", 0, null, null, PeerState.RUNNING);
        PeerRecord child = peer("c", 0, null, null, PeerState.RECEIVED_NORMAL);
        assertEquals(1, LoadQualityEvaluator.load(parent.host()), EPS);
        assertEquals(0.6 + 0.1 * 0.5, new LoadQualityEvaluator().evaluate(parent, child, 10), EPS);
        // an edge adds load: pieceLength × 8 pieces × 8 bits of peak, the content length of duration
        synchronized (task) {
            assertTrue(TaskDag.addEdge(parent, child, false));
        }
        long tx = Fixtures.PIECE * 8 * 8;
        double peak = 1 - (double) tx / 10_000_000_000L;
        double duration = 1 - (10 * Fixtures.PIECE * 8.0 / 10_000_000_000L / 60);
        double needed = 10_000_000_000.0 / (16 * 1024 * 1024 * 8);
        double concurrency = 8 / needed <= 1 ? 1 : needed / 8;
        assertEquals(0.5 * peak + 0.3 * duration + 0.2 * concurrency, LoadQualityEvaluator.load(parent.host()), EPS);
        PeerRecord silent = peer("z", 0, null, null, PeerState.RUNNING);
        HostRecord zero = store.announceHost(Fixtures.host("z", 0, null, null, 0), System.nanoTime());
        assertEquals(0, LoadQualityEvaluator.load(zero), EPS);
        assertEquals(silent.host(), zero);
    }

    @Test
    void badNodeByStateAndCost() {
        assertTrue(Evaluator.isBadParent(peer("a", 0, null, null, PeerState.FAILED)));
        assertTrue(Evaluator.isBadParent(peer("b", 0, null, null, PeerState.RECEIVED_NORMAL)));
        assertTrue(Evaluator.isBadParent(peer("c", 0, null, null, PeerState.LEAVE)));
        PeerRecord ok = peer("d", 0, null, null, PeerState.RUNNING);
        assertFalse(Evaluator.isBadParent(ok));
        ok.finishPiece(0, 1, 1_000_000, 0);
        ok.finishPiece(1, 1, 1_000_000, 0);
        ok.finishPiece(2, 1, 19_000_000, 0);
        assertFalse(Evaluator.isBadParent(ok), "19x the mean is tolerated");
        ok.finishPiece(3, 1, 150_000_000, 0);
        assertFalse(Evaluator.isBadParent(ok), "150x the mean, but under the 200 ms floor: a hiccup, not a bad parent");
        ok.finishPiece(4, 1, 2_000_000_000L, 0);
        assertTrue(Evaluator.isBadParent(ok), "a piece far slower than 20x the mean (and the floor) marks it bad");
    }

    @Test
    void filters() {
        PeerRecord child = peer("child", 0, null, null, PeerState.RECEIVED_NORMAL);
        PeerRecord source = peer("src", 0, null, null, PeerState.BACK_TO_SOURCE);
        assertTrue(ParentSelector.rejectReason(source, child, ParentGraph.DAG).isEmpty());
        child.blockParents().add(source.id());
        assertEquals("blocklisted", ParentSelector.rejectReason(source, child, ParentGraph.DAG).orElseThrow());
        child.blockParents().remove(source.id());

        PeerRecord sameHost = Fixtures.peer(store, task, child.host(), "peer-child-2");
        sameHost.setState(PeerState.SUCCEEDED, System.nanoTime());
        assertEquals("same host", ParentSelector.rejectReason(sameHost, child, ParentGraph.DAG).orElseThrow());

        HostRecord unshared = store.announceHost(Fixtures.host("u", 0, null, null, 1).toBuilder().setDisableShared(true).build(),
                System.nanoTime());
        PeerRecord u = Fixtures.peer(store, task, unshared, "peer-u");
        u.setState(PeerState.SUCCEEDED, System.nanoTime());
        assertEquals("host disables sharing", ParentSelector.rejectReason(u, child, ParentGraph.DAG).orElseThrow());

        PeerRecord orphan = peer("o", 0, null, null, PeerState.RUNNING);
        assertEquals("has no parent and no source", ParentSelector.rejectReason(orphan, child, ParentGraph.DAG).orElseThrow());

        PeerRecord failed = peer("f", 1, null, null, PeerState.FAILED);
        assertTrue(ParentSelector.rejectReason(failed, child, ParentGraph.DAG).orElseThrow().startsWith("bad node"));

        while (source.host().tryAcquireUploadSlot()) {
            // take every slot
        }
        assertEquals("no free upload slot", ParentSelector.rejectReason(source, child, ParentGraph.DAG).orElseThrow());
    }

    @Test
    void cycleIsRefused() {
        PeerRecord a = peer("a", 0, null, null, PeerState.BACK_TO_SOURCE);
        PeerRecord b = peer("b", 0, null, null, PeerState.RUNNING);
        PeerRecord c = peer("c", 0, null, null, PeerState.RUNNING);
        synchronized (task) {
            assertTrue(TaskDag.addEdge(a, b, false));
            assertTrue(TaskDag.addEdge(b, c, false));
            assertEquals("would create a cycle", ParentSelector.rejectReason(c, a, ParentGraph.DAG).orElseThrow());
            assertFalse(TaskDag.addEdge(c, a, false));
            assertTrue(TaskDag.isAcyclic(task.peersSnapshot()));
        }
    }

    @Test
    void aMeshLetsTwoPeersServeEachOther() {
        PeerRecord a = peer("a", 0, null, null, PeerState.BACK_TO_SOURCE);
        PeerRecord b = peer("b", 0, null, null, PeerState.RUNNING);
        PeerRecord c = peer("c", 0, null, null, PeerState.RUNNING);
        ParentSelector mesh = new ParentSelector(new BaseEvaluator(), 15, 3, ParentGraph.MESH);
        synchronized (task) {
            assertTrue(mesh.link(a, b));
            assertTrue(mesh.link(b, c));
            assertTrue(ParentSelector.rejectReason(c, b, ParentGraph.MESH).isEmpty());
            assertTrue(mesh.link(c, b), "c serves b the pieces it got elsewhere, b serves c");
            assertTrue(b.parents().contains(c) && c.parents().contains(b));
            assertFalse(mesh.link(c, b), "an edge exists once");
            assertFalse(mesh.link(b, b), "never its own parent");
            assertFalse(TaskDag.isAcyclic(task.peersSnapshot()));
            ParentSelector dag = new ParentSelector(new BaseEvaluator(), 15, 3, ParentGraph.DAG);
            assertFalse(dag.link(c, a), "a DAG still refuses the cycle c -> a");
        }
    }

    @Test
    void selectorKeepsTheBestAndRespectsSlots() {
        PeerRecord child = peer("child", 0, "idc1", "cn|sh", PeerState.RECEIVED_NORMAL);
        PeerRecord far = peer("far", 0, null, null, PeerState.SUCCEEDED);
        PeerRecord near = peer("near", 0, "idc1", "cn|sh", PeerState.SUCCEEDED);
        PeerRecord half = peer("half", 0, null, null, PeerState.BACK_TO_SOURCE);
        PeerRecord full = peer("full", 0, "idc1", "cn|sh", PeerState.SUCCEEDED);
        for (int i = 0; i < 10; i++) {
            far.finishPiece(i, Fixtures.PIECE, 1, 0);
            near.finishPiece(i, Fixtures.PIECE, 1, 0);
            full.finishPiece(i, Fixtures.PIECE, 1, 0);
        }
        while (full.host().tryAcquireUploadSlot()) {
            // no slot left
        }
        ParentSelector selector = new ParentSelector(new BaseEvaluator(), 15, 2, ParentGraph.DAG);
        List<PeerRecord> chosen;
        synchronized (task) {
            chosen = selector.select(child);
        }
        assertEquals(List.of(near, far), chosen);
        assertEquals(1, near.host().uploadSlotsInUse());
        assertEquals(java.util.Set.of(near, far), child.parents());
        assertFalse(chosen.contains(half));
    }
}
