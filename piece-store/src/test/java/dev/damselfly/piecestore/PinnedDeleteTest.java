package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deleteTask on a pinned task: gone from the store at once, still readable through the leases until they close. */
class PinnedDeleteTest {
    static final long LEN = 8 * 65536;
    static final int PLEN = 65536;

    @TempDir
    Path dir;
    final List<String> events = new CopyOnWriteArrayList<>();

    PieceStore open() {
        return PieceStore.open(dir, PieceStoreConfig.builder().gcInterval(Duration.ZERO).hotCacheBytes(1 << 20)
                .deletionListener((t, r) -> events.add(t + ":" + r)).build());
    }

    static void fill(PieceStore s, String id) {
        s.createTask(id, LEN, PLEN);
        for (int n = 0; n < 8; n++) {
            s.writePiece(id, n, TestData.buffer(id, n, LEN, PLEN), null);
        }
    }

    @Test
    void aReaderHoldingALeaseKeepsReadingWhileTheTaskIsDeleted() throws Exception {
        String id = TestData.taskId("pinned-delete");
        try (PieceStore s = open()) {
            fill(s, id);
            s.putChunk("sha256:chunk", new ChunkLocation(id, 100, 70_000));
            Path file = dir.resolve("content/tasks").resolve(id.substring(0, 3)).resolve(id);
            TaskLease lease = s.pin(id);
            long usedBefore = s.usedBytes();
            assertEquals(LEN, usedBefore, "whole blocks");
            AtomicInteger readsAfterDelete = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch deleted = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                ByteBuffer dst = ByteBuffer.allocate(PLEN);
                try {
                    for (int i = 0; readsAfterDelete.get() < 200; i++) {
                        int n = i % 8;
                        byte[] want = TestData.piece(id, n, LEN, PLEN);
                        boolean wasDeleted = deleted.getCount() == 0;
                        assertArrayEquals(want, TestData.bytes(lease.readPiece(n)), "piece " + n);
                        dst.clear();
                        assertEquals(PLEN, lease.readPiece(n, dst));
                        assertArrayEquals(want, dst.array());
                        try (PieceRegion r = lease.region(n)) {
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            r.transferTo(Channels.newChannel(out));
                            assertArrayEquals(want, out.toByteArray());
                        }
                        if (wasDeleted) {
                            readsAfterDelete.incrementAndGet();
                        }
                        started.countDown();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                    started.countDown();
                }
            }, "lease-reader");
            reader.start();
            assertTrue(started.await(10, TimeUnit.SECONDS));
            assertTrue(s.deleteTask(id));
            deleted.countDown();
            // gone for everyone who asks by id, at once
            assertTrue(s.taskInfo(id).isEmpty());
            assertFalse(s.hasPiece(id, 0));
            assertThrows(TaskNotFoundException.class, () -> s.readPiece(id, 0));
            assertThrows(TaskNotFoundException.class, () -> s.region(id, 0));
            assertThrows(TaskNotFoundException.class, () -> s.pin(id));
            assertTrue(s.lookupChunk("sha256:chunk").isEmpty());
            assertFalse(s.deleteTask(id));
            assertFalse(Files.exists(file), "the name is unlinked at once");
            assertEquals(List.of(id + ":EXPLICIT"), events, "the owner is told once, at the delete");
            assertEquals(0, s.storedBytes());
            assertTrue(lease.taskDeleted());
            reader.join(60_000);
            assertFalse(reader.isAlive());
            assertNull(failure.get(), () -> "lease reader failed: " + failure.get());
            assertEquals(200, readsAfterDelete.get());
            // the blocks stay counted while the lease holds the file
            assertEquals(usedBefore, s.usedBytes());
            // a new task under the same id starts empty, with its own file; the lease still sees the old bytes
            s.createTask(id, LEN, PLEN);
            assertFalse(s.hasPiece(id, 3));
            s.writePiece(id, 3, TestData.buffer("other", 3, LEN, PLEN), null);
            assertArrayEquals(TestData.piece(id, 3, LEN, PLEN), TestData.bytes(lease.readPiece(3)));
            assertArrayEquals(TestData.piece("other", 3, LEN, PLEN), TestData.bytes(s.readPiece(id, 3)));
            lease.close();
            assertEquals(PLEN, s.usedBytes(), "the old file's blocks are released with the last lease");
            assertThrows(PieceStoreException.class, () -> lease.readPiece(0));
        }
        try (PieceStore s = open()) {
            assertEquals(1, s.taskInfo(id).orElseThrow().storedPieces(), "the delete was durable");
            assertArrayEquals(TestData.piece("other", 3, LEN, PLEN), TestData.bytes(s.readPiece(id, 3)));
        }
    }

    @Test
    void corruptionUnderALeaseOnADeletedTaskIsStillCaught() throws Exception {
        String id = TestData.taskId("pinned-corrupt");
        try (PieceStore s = open()) {
            fill(s, id);
            try (TaskLease lease = s.pin(id)) {
                Path file = dir.resolve("content/tasks").resolve(id.substring(0, 3)).resolve(id);
                FaultsTest.flipByte(file, 2L * PLEN + 9);
                assertTrue(s.deleteTask(id));
                PieceNotFoundException e = assertThrows(PieceNotFoundException.class, () -> lease.readPiece(2));
                assertTrue(e.getCause() instanceof DigestMismatchException, String.valueOf(e.getCause()));
                assertFalse(lease.hasPiece(2));
                assertArrayEquals(TestData.piece(id, 1, LEN, PLEN), TestData.bytes(lease.readPiece(1)));
                assertEquals(7, lease.storedPieces().cardinality());
            }
            assertEquals(0, s.usedBytes());
        }
    }

    @Test
    void garbageCollectionStillSkipsPinnedTasksAndAnUnpinnedDeleteFreesAtOnce() {
        String id = TestData.taskId("gc-pinned");
        try (PieceStore s = PieceStore.open(dir, PieceStoreConfig.builder().gcInterval(Duration.ZERO)
                .diskBudgetBytes(LEN).watermarks(0.5, 0.1).build())) {
            s.createTask(id, LEN, PLEN);
            try (TaskLease lease = s.pin(id)) {
                fill(s, id); // crosses the high mark: background runs start, and skip it
                assertEquals(0, s.gc().tasksEvicted());
                assertTrue(lease.hasPiece(7));
                assertEquals(LEN, s.usedBytes());
            }
            s.gc();
            assertTrue(s.taskInfo(id).isEmpty());
            assertEquals(0, s.usedBytes());
        }
    }

    @Test
    void leaseReadsFailTypedOnceTheStoreIsClosed() {
        String id = TestData.taskId("closed");
        PieceStore s = open();
        fill(s, id);
        TaskLease lease = s.pin(id);
        assertArrayEquals(TestData.piece(id, 0, LEN, PLEN), TestData.bytes(lease.readPiece(0)));
        s.close();
        PieceStoreException e = assertThrows(PieceStoreException.class, () -> lease.readPiece(0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        lease.close();
    }
}
