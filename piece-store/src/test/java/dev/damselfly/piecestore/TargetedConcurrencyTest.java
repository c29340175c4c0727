package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Races aimed at one property each: same-piece writers store a piece once; reads do not wait for a GC run. */
class TargetedConcurrencyTest {
    @TempDir
    Path dir;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void writersRacingForTheSamePieceStoreItOnce() throws Exception {
        int threads = 6;
        int plen = 64 << 10;
        int pieces = 16;
        long len = (long) plen * pieces - plen / 2; // short last piece
        String id = TestData.taskId("race");
        ConcurrentHashMap<Integer, AtomicInteger> commits = new ConcurrentHashMap<>();
        WriteObserver counter = new WriteObserver() {
            @Override
            public void pieceCommitted(String taskId, int number) {
                commits.computeIfAbsent(number, k -> new AtomicInteger()).incrementAndGet();
            }
        };
        PieceStoreConfig c = PieceStoreConfig.builder().gcInterval(Duration.ZERO).build();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (PieceStore s = PieceStore.open(dir, c, registry, counter)) {
            s.createTask(id, len, plen);
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Future<List<PieceInfo>>> results = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                boolean stream = w % 2 == 1;
                results.add(pool.submit(() -> {
                    List<PieceInfo> out = new ArrayList<>();
                    for (int n = 0; n < pieces; n++) {
                        byte[] bytes = TestData.piece(id, n, len, plen);
                        String digest = PieceDigests.crc32(bytes);
                        barrier.await(10, TimeUnit.SECONDS); // every writer starts piece n together
                        out.add(stream ? s.writePiece(id, n, new ByteArrayInputStream(bytes), digest)
                                : s.writePiece(id, n, ByteBuffer.wrap(bytes), digest));
                    }
                    return out;
                }));
            }
            List<PieceInfo> first = null;
            for (Future<List<PieceInfo>> f : results) {
                List<PieceInfo> got = f.get(60, TimeUnit.SECONDS);
                if (first == null) {
                    first = got;
                }
                assertEquals(first, got, "every writer of a piece gets the same stored piece");
            }
            assertEquals((double) len, registry.get("damselfly.piecestore.written.bytes").counter().count(),
                    "bytes committed");
            assertEquals(len, s.storedBytes());
            assertEquals(pieces, s.taskInfo(id).orElseThrow().storedPieces());
            for (int n = 0; n < pieces; n++) {
                assertEquals(1, commits.get(n).get(), "commits of piece " + n);
                assertArrayEquals(TestData.piece(id, n, len, plen), TestData.bytes(s.readPiece(id, n)));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readsOfAnotherTaskFinishWhileAGcRunIsBlocked() throws Exception {
        long len = 40_960; // whole 4 KiB blocks, so the budget below is exact
        int plen = 10_240;
        String victim = TestData.taskId("gc-victim");
        String survivor = TestData.taskId("gc-survivor");
        CountDownLatch gcInside = new CountDownLatch(1);
        CountDownLatch releaseGc = new CountDownLatch(1);
        TestData.MutableClock clock = new TestData.MutableClock();
        // budget of 2 tasks, high 0.9, low 0.5: the second task crosses high; evicting the older one suffices
        PieceStoreConfig c = PieceStoreConfig.builder().gcInterval(Duration.ZERO).hotCacheBytes(0).clock(clock)
                .diskBudgetBytes(2 * len).watermarks(0.9, 0.5).deletionListener((t, r) -> {
                    if (r == DeletionReason.QUOTA) {
                        gcInside.countDown();
                        try {
                            releaseGc.await(60, TimeUnit.SECONDS); // parks the GC run inside its eviction
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }).build();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try (PieceStore s = PieceStore.open(dir, c, registry)) {
            for (String id : List.of(victim, survivor)) {
                s.createTask(id, len, plen);
                for (int n = 0; n < 4; n++) {
                    s.writePiece(id, n, TestData.buffer(id, n, len, plen), null);
                }
                clock.advance(Duration.ofSeconds(1));
            }
            // the last commit crossed the high mark and started a background run, now parked in the listener
            assertTrue(gcInside.await(10, TimeUnit.SECONDS), "no GC run started");
            Future<Integer> reads = reader.submit(() -> {
                int done = 0;
                for (int round = 0; round < 20; round++) {
                    for (int n = 0; n < 4; n++) {
                        assertArrayEquals(TestData.piece(survivor, n, len, plen), TestData.bytes(s.readPiece(survivor, n)));
                        ByteBuffer dst = ByteBuffer.allocate(plen);
                        s.readPiece(survivor, n, dst);
                        try (PieceRegion r = s.region(survivor, n)) {
                            assertEquals(plen, r.length());
                        }
                        done++;
                    }
                }
                return done;
            });
            assertEquals(80, reads.get(10, TimeUnit.SECONDS), "reads waited for the GC run");
            assertEquals(1, releaseGc.getCount(), "the GC run was still blocked while the reads ran");
            assertFalse(s.hasPiece(victim, 0), "the run was deleting the victim");
            releaseGc.countDown();
        } finally {
            releaseGc.countDown();
            reader.shutdownNow();
        }
    }
}
