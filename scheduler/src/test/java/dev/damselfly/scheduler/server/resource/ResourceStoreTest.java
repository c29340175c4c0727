package dev.damselfly.scheduler.server.resource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.damselfly.scheduler.server.Fixtures;
import org.junit.jupiter.api.Test;

/** Expiry and removal bookkeeping. */
class ResourceStoreTest {
    private static final long HOUR = 3_600_000_000_000L;

    @Test
    void sweepDropsLeftAndFailedPeersAndExpiredHosts() {
        ResourceStore store = new ResourceStore(4, 20);
        long t0 = System.nanoTime();
        TaskRecord task = store.taskOrCreate("t", t0);
        HostRecord a = Fixtures.hostRecord(store, "a");
        HostRecord b = Fixtures.hostRecord(store, "b");
        PeerRecord ok = Fixtures.peer(store, task, a, "ok");
        ok.setState(PeerState.SUCCEEDED, t0);
        PeerRecord left = Fixtures.peer(store, task, a, "left");
        left.setState(PeerState.LEAVE, t0);
        PeerRecord child = Fixtures.peer(store, task, b, "child");
        child.setState(PeerState.RUNNING, t0);
        synchronized (task) {
            TaskDag.addEdge(ok, child, false);
        }
        assertEquals(1, a.uploadSlotsInUse());

        assertArrayEquals(new int[] {0, 1, 0}, store.expire(System.nanoTime(), HOUR, HOUR, HOUR));
        assertNull(store.peer("left"));
        assertNotNull(store.peer("ok"));

        // host a stops announcing: its peers go, the edge to the child goes with them
        b.update(b.host(), System.nanoTime() + 2 * HOUR);
        int[] n = store.expire(System.nanoTime() + 2 * HOUR, HOUR, 10 * HOUR, 10 * HOUR);
        assertEquals(1, n[0]);
        assertNull(store.host(a.id()));
        assertNull(store.peer("ok"));
        assertEquals(0, child.parents().size());
        assertEquals(0, a.uploadSlotsInUse());
        assertNotNull(store.peer("child"));
    }
}
