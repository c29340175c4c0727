package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single-flight: concurrent callers for a missing piece cause one fetch; failures are shared, then retried. */
class GetOrFetchTest {
    static final long LEN = 100_000;
    static final int PLEN = 10_000;

    @TempDir
    Path dir;

    PieceStore open() {
        return PieceStore.open(dir, PieceStoreConfig.builder().gcInterval(Duration.ZERO).build());
    }

    @Test
    void concurrentCallersCauseOneFetch() throws Exception {
        String id = TestData.taskId("sf");
        try (PieceStore s = open()) {
            s.createTask(id, LEN, PLEN);
            AtomicInteger fetches = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            PieceFetcher fetcher = (t, n, off, len) -> {
                fetches.incrementAndGet();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                byte[] b = TestData.piece(t, n, LEN, PLEN);
                assertEquals(PieceGeometry.offset(n, PLEN), off);
                assertEquals(b.length, len);
                return new FetchedPiece(ByteBuffer.wrap(b), PieceDigests.crc32(b));
            };
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<ByteBuffer>> results = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    results.add(pool.submit(() -> s.getOrFetch(id, 7, fetcher)));
                }
                Thread.sleep(200); // let them all queue up behind the first fetch
                release.countDown();
                for (Future<ByteBuffer> f : results) {
                    assertArrayEquals(TestData.piece(id, 7, LEN, PLEN), TestData.bytes(f.get(10, TimeUnit.SECONDS)));
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, fetches.get());
            assertTrue(s.hasPiece(id, 7));
            // stored now: no more fetches
            s.getOrFetch(id, 7, fetcher);
            assertEquals(1, fetches.get());
        }
    }

    @Test
    void aFailedFetchIsSharedThenRetried() {
        String id = TestData.taskId("fail");
        try (PieceStore s = open()) {
            s.createTask(id, LEN, PLEN);
            PieceFetchException e = assertThrows(PieceFetchException.class,
                    () -> s.getOrFetch(id, 1, (t, n, o, l) -> {
                        throw new IOException("parent went away");
                    }));
            assertInstanceOf(IOException.class, e.getCause());
            byte[] bad = new byte[PLEN];
            assertThrows(DigestMismatchException.class, () -> s.getOrFetch(id, 1,
                    (t, n, o, l) -> new FetchedPiece(ByteBuffer.wrap(bad), PieceDigests.crc32(TestData.piece(t, n, LEN, PLEN)))));
            assertFalse(s.hasPiece(id, 1));
            ByteBuffer got = s.getOrFetch(id, 1, (t, n, o, l) -> new FetchedPiece(TestData.buffer(t, n, LEN, PLEN), null));
            assertArrayEquals(TestData.piece(id, 1, LEN, PLEN), TestData.bytes(got));
        }
    }
}
