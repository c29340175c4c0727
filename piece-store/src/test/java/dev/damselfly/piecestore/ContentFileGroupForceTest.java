package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
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

/** Group force: writers that finish together share one force, and nobody returns before a force covering it. */
class ContentFileGroupForceTest {
    @TempDir
    Path dir;

    @Test
    void writersArrivingDuringAForceShareTheNextOne() throws Exception {
        CountDownLatch firstForceEntered = new CountDownLatch(1);
        CountDownLatch releaseFirstForce = new CountDownLatch(1);
        AtomicInteger forces = new AtomicInteger();
        ContentFile file = new ContentFile(dir.resolve("t"), false, ch -> {
            if (forces.incrementAndGet() == 1) {
                firstForceEntered.countDown();
                await(releaseFirstForce);
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            Future<Long> first = pool.submit(file::forceWrites);
            assertTrue(firstForceEntered.await(5, TimeUnit.SECONDS));
            // four writers finish while force 1 runs: it may have missed their bytes, so they need force 2
            List<Future<Long>> late = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                late.add(pool.submit(file::forceWrites));
            }
            Thread.sleep(100);
            for (Future<Long> f : late) {
                assertFalse(f.isDone(), "a writer returned on a force that started before it arrived");
            }
            releaseFirstForce.countDown();
            assertTrue(first.get(5, TimeUnit.SECONDS) >= 1L);
            for (Future<Long> f : late) {
                assertEquals(2L, f.get(5, TimeUnit.SECONDS));
            }
            assertEquals(2, forces.get(), "the four late writers shared one force");
        } finally {
            releaseFirstForce.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedForceFailsItsCallerAndTheWaitersForceAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ContentFile file = new ContentFile(dir.resolve("t"), false, ch -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("disk gone");
            }
        });
        IOException e = assertThrows(IOException.class, file::forceWrites);
        assertEquals("disk gone", e.getMessage());
        assertEquals(2L, file.forceWrites(), "force 2 succeeded");
        assertEquals(2, calls.get());
    }

    @Test
    void theRealForceRunsOnTheFilesChannel() throws Exception {
        ContentFile file = new ContentFile(dir.resolve("sub/t"), true);
        file.acquire();
        try {
            file.channel(true).write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
            assertEquals(1L, file.forceWrites());
            assertEquals(2L, file.forceWrites());
        } finally {
            file.release();
            file.closeForShutdown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
