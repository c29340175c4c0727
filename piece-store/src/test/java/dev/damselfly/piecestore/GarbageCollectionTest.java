package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LRU eviction between watermarks, pins, TTL, the listener, metrics, background runs, reads during GC. */
class GarbageCollectionTest {
    /** Whole 4 KiB blocks per task (the budget counts blocks, see DiskUsage), so budgets below are exact multiples. */
    static final long LEN = 40_960;
    static final int PLEN = 10_240;

    @TempDir
    Path dir;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<String> events = new CopyOnWriteArrayList<>();
    final TestData.MutableClock clock = new TestData.MutableClock();

    PieceStoreConfig.Builder config() {
        return PieceStoreConfig.builder().gcInterval(Duration.ZERO).clock(clock)
                .deletionListener((t, r) -> events.add(t + ":" + r));
    }

    void fill(PieceStore s, String id) {
        s.createTask(id, LEN, PLEN);
        for (int n = 0; n < 4; n++) {
            s.writePiece(id, n, TestData.buffer(id, n, LEN, PLEN), null);
        }
        clock.advance(Duration.ofSeconds(1));
    }

    @Test
    void evictsLeastRecentlyUsedUnpinnedTasksDownToTheLowMark() {
        // budget 10 tasks; high 0.8 = 8 tasks, low 0.5 = 5 tasks
        PieceStoreConfig c = config().diskBudgetBytes(10 * LEN).watermarks(0.8, 0.5).build();
        try (PieceStore s = PieceStore.open(dir, c, registry)) {
            String[] ids = new String[9];
            for (int i = 0; i < 8; i++) {
                ids[i] = TestData.taskId("t" + i);
                fill(s, ids[i]);
            }
            assertEquals(0, s.gc().tasksEvicted(), "at the high mark, not above it");
            s.readPiece(ids[0], 0); // t0 becomes most recently used
            clock.advance(Duration.ofSeconds(1));
            TaskLease lease = s.pin(ids[1]); // t1 is pinned
            clock.advance(Duration.ofSeconds(1));
            ids[8] = TestData.taskId("t8");
            fill(s, ids[8]); // 9 tasks > high: the commit that crossed it started a background run
            s.gc(); // and this one finds the work done, or does it
            // evicted in LRU order, skipping pinned t1 and recently read t0: t2, t3, t4, t5
            assertEquals(5 * LEN, s.storedBytes());
            for (int i = 2; i <= 5; i++) {
                assertTrue(s.taskInfo(ids[i]).isEmpty(), "t" + i);
                assertTrue(events.contains(ids[i] + ":QUOTA"));
            }
            for (int i : new int[] {0, 1, 6, 7, 8}) {
                assertTrue(s.taskInfo(ids[i]).isPresent(), "t" + i);
            }
            assertTrue(s.taskInfo(ids[1]).orElseThrow().pinned());
            lease.close();
            lease.close();
            assertFalse(s.taskInfo(ids[1]).orElseThrow().pinned());
            assertEquals(4 * LEN, registry.get("damselfly.piecestore.evicted.bytes").counter().count());
            assertEquals(4.0, registry.get("damselfly.piecestore.evicted.tasks").tag("reason", "quota").counter().count());
            assertTrue(registry.get("damselfly.piecestore.gc").timer().count() >= 2);
            // files are gone from disk too
            Path f = dir.resolve("content/tasks").resolve(ids[2].substring(0, 3)).resolve(ids[2]);
            assertFalse(Files.exists(f));
        }
    }

    @Test
    void pinnedTasksAreNeverEvictedEvenAboveTheMark() {
        PieceStoreConfig c = config().diskBudgetBytes(2 * LEN).watermarks(0.5, 0.25).build();
        try (PieceStore s = PieceStore.open(dir, c, registry)) {
            String a = TestData.taskId("a");
            String b = TestData.taskId("b");
            s.createTask(a, LEN, PLEN);
            s.createTask(b, LEN, PLEN);
            try (TaskLease la = s.pin(a); TaskLease lb = s.pin(b)) {
                assertEquals(List.of(a, b), List.of(la.taskId(), lb.taskId()));
                // downloaders pin their task; both cross the high mark while pinned
                for (int n = 0; n < 4; n++) {
                    s.writePiece(a, n, TestData.buffer(a, n, LEN, PLEN), null);
                    s.writePiece(b, n, TestData.buffer(b, n, LEN, PLEN), null);
                }
                assertEquals(0, s.gc().tasksEvicted());
                assertEquals(2 * LEN, s.storedBytes());
                assertTrue(events.isEmpty());
            }
            // the background run queued by the crossing commit may start only now and evict them itself
            s.gc();
            assertEquals(0, s.storedBytes());
            assertTrue(s.taskInfo(a).isEmpty() && s.taskInfo(b).isEmpty());
            assertEquals(2, events.size());
            assertEquals(Set.of(a + ":QUOTA", b + ":QUOTA"), Set.copyOf(events));
            assertEquals(2.0, registry.get("damselfly.piecestore.evicted.tasks").tag("reason", "quota").counter().count());
        }
    }

    @Test
    void ttlDeletesIdleTasks() {
        PieceStoreConfig c = config().taskTtl(Duration.ofHours(1)).build();
        try (PieceStore s = PieceStore.open(dir, c, registry)) {
            String old = TestData.taskId("old");
            String fresh = TestData.taskId("fresh");
            String pinned = TestData.taskId("pinned");
            fill(s, old);
            fill(s, pinned);
            TaskLease lease = s.pin(pinned);
            clock.advance(Duration.ofMinutes(50));
            fill(s, fresh);
            clock.advance(Duration.ofMinutes(20));
            GcReport r = s.gc();
            assertEquals(1, r.tasksEvicted());
            assertEquals(List.of(old + ":TTL"), events);
            assertTrue(s.taskInfo(fresh).isPresent());
            assertTrue(s.taskInfo(pinned).isPresent());
            lease.close();
            assertEquals(1, s.gc().tasksEvicted());
            assertTrue(s.taskInfo(pinned).isEmpty());
        }
    }

    @Test
    void crossingTheHighMarkStartsABackgroundRun() throws InterruptedException {
        PieceStoreConfig c = config().diskBudgetBytes(3 * LEN).watermarks(0.9, 0.4).build();
        try (PieceStore s = PieceStore.open(dir, c, registry)) {
            for (int i = 0; i < 3; i++) {
                fill(s, TestData.taskId("bg" + i));
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((s.storedBytes() > 0.4 * 3 * LEN || events.size() < 2) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(LEN, s.storedBytes());
            assertEquals(2, events.size());
        }
    }

    @Test
    void aRegionOpenDuringEvictionStaysReadable() throws Exception {
        PieceStoreConfig c = config().build();
        try (PieceStore s = PieceStore.open(dir, c, registry)) {
            String id = TestData.taskId("r");
            fill(s, id);
            try (PieceRegion region = s.region(id, 3)) {
                assertTrue(s.deleteTask(id));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                region.transferTo(Channels.newChannel(out));
                assertArrayEquals(TestData.piece(id, 3, LEN, PLEN), out.toByteArray());
            }
        }
    }

    @Test
    void accessTimesSurviveARestart() {
        PieceStoreConfig c = config().diskBudgetBytes(3 * LEN).watermarks(0.9, 0.4).build();
        String a = TestData.taskId("first");
        String b = TestData.taskId("second");
        try (PieceStore s = PieceStore.open(dir, c, registry)) {
            fill(s, a);
            fill(s, b);
            s.readPiece(a, 1); // a is now the most recent
            clock.advance(Duration.ofSeconds(5));
        }
        try (PieceStore s = PieceStore.open(dir, c, new SimpleMeterRegistry())) {
            String d = TestData.taskId("third");
            fill(s, d);
            fill(s, TestData.taskId("fourth"));
            s.gc();
            assertTrue(s.taskInfo(b).isEmpty(), "b was least recently used");
            assertTrue(s.taskInfo(a).isEmpty() || s.taskInfo(d).isEmpty());
        }
    }
}
