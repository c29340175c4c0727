package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers, writers and GC at once, with a budget small enough that eviction runs all the time. Every byte read
 * (buffer, caller's buffer, region, single-flight fetch) is compared with the deterministic content and its CRC.
 */
class ConcurrentStressTest {
    static final int PLEN = 16 << 10;
    static final long LEN = 40L * PLEN + 1234;
    static final int TASKS = 12;
    static final long RUN_NANOS = 8_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void readersWritersAndGcNeverServeWrongBytes() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PieceStoreConfig c = PieceStoreConfig.builder().diskBudgetBytes(5 * LEN).watermarks(0.8, 0.5)
                .gcInterval(Duration.ofMillis(50)).hotCacheBytes(2L * PLEN * 10).build();
        String[] ids = new String[TASKS];
        for (int i = 0; i < TASKS; i++) {
            ids[i] = TestData.taskId("stress" + i);
        }
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong verifiedReads = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        AtomicLong evictionsSeen = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (PieceStore s = PieceStore.open(dir, c, registry)) {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                threads.add(new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        String id = ids[r.nextInt(TASKS)];
                        try {
                            s.createTask(id, LEN, PLEN);
                            try (TaskLease lease = s.pin(id)) {
                                assertEquals(id, lease.taskId());
                                for (int k = 0; k < 8; k++) {
                                    int n = r.nextInt(41);
                                    ByteBuffer b = TestData.buffer(id, n, LEN, PLEN);
                                    s.writePiece(id, n, b, PieceDigests.crc32(b));
                                    writes.incrementAndGet();
                                }
                            }
                        } catch (TaskNotFoundException | StorageFullException e) {
                            evictionsSeen.incrementAndGet();
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }
                }, "writer-" + w));
            }
            for (int rd = 0; rd < 3; rd++) {
                final int mode0 = rd;
                threads.add(new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    int mode = mode0;
                    ByteBuffer dst = ByteBuffer.allocate(PLEN);
                    while (!stop.get()) {
                        String id = ids[r.nextInt(TASKS)];
                        int n = r.nextInt(41);
                        byte[] want = TestData.piece(id, n, LEN, PLEN);
                        try {
                            byte[] got;
                            switch (mode++ % 4) {
                                case 0 -> got = TestData.bytes(s.readPiece(id, n));
                                case 1 -> {
                                    dst.clear();
                                    s.readPiece(id, n, dst);
                                    dst.flip();
                                    got = TestData.bytes(dst);
                                }
                                case 2 -> {
                                    try (PieceRegion region = s.region(id, n)) {
                                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                                        region.transferTo(Channels.newChannel(out));
                                        got = out.toByteArray();
                                    }
                                }
                                default -> got = TestData.bytes(s.getOrFetch(id, n,
                                        (t, p, o, l) -> new FetchedPiece(TestData.buffer(t, p, LEN, PLEN), null)));
                            }
                            assertArrayEquals(want, got, id + "-" + n);
                            assertEquals(PieceDigests.crc32(want), PieceDigests.crc32(got));
                            verifiedReads.incrementAndGet();
                        } catch (PieceNotFoundException | TaskNotFoundException | StorageFullException e) {
                            // missing or evicted: fine
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }
                }, "reader-" + rd));
            }
            threads.add(new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!stop.get()) {
                    try {
                        s.gc();
                        if (r.nextInt(20) == 0) {
                            s.deleteTask(ids[r.nextInt(TASKS)]);
                        }
                        Thread.sleep(5);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }, "gc"));
            threads.forEach(Thread::start);
            long end = System.nanoTime() + RUN_NANOS;
            while (System.nanoTime() < end && failures.isEmpty()) {
                Thread.sleep(50);
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " failures, first: " + failures.peek());
                failures.forEach(e::addSuppressed);
                throw e;
            }
            assertTrue(verifiedReads.get() > 500, "verified reads: " + verifiedReads.get());
            assertTrue(writes.get() > 500, "writes: " + writes.get());
            assertTrue(registry.get("damselfly.piecestore.evicted.bytes").counter().count() > 0, "GC evicted something");
            assertEquals(0.0, registry.get("damselfly.piecestore.digest.failures").tag("stage", "read").counter().count(),
                    "a healthy store never finds a bad piece");
            assertTrue(s.storedBytes() <= 5 * LEN);
        }
        // everything that is left reads back right after a restart
        try (PieceStore s = PieceStore.open(dir, c, new SimpleMeterRegistry())) {
            for (TaskInfo t : s.tasks()) {
                for (int n = 0; n < t.pieceCount(); n++) {
                    if (s.hasPiece(t.taskId(), n)) {
                        assertArrayEquals(TestData.piece(t.taskId(), n, LEN, PLEN), TestData.bytes(s.readPiece(t.taskId(), n)));
                    }
                }
            }
        }
    }
}
