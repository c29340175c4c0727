package dev.damselfly.testkit.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One build per key under concurrency, nothing left behind by a failed or killed build, atomic appearance. */
class DiskCacheTest {
    @TempDir
    Path dir;

    @Test
    void concurrentCallersShareOneBuild() throws Exception {
        DiskCache cache = new DiskCache(dir.resolve("cache"));
        AtomicInteger builds = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return cache.get("tree", target -> {
                        builds.incrementAndGet();
                        sleep(200);
                        Files.writeString(target.resolve("file"), "content");
                    });
                }));
            }
            start.countDown();
            for (Future<Path> f : results) {
                Path entry = f.get(30, TimeUnit.SECONDS);
                assertEquals(dir.resolve("cache/tree"), entry);
                assertEquals("content", Files.readString(entry.resolve("file")));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, builds.get(), "six callers, one build");
        assertEquals(List.of("tree", "tree.lock"), names(dir.resolve("cache")), "no temporary directory left");
    }

    @Test
    void aFailedBuildLeavesNothingAndTheNextCallerBuildsAgain() throws Exception {
        DiskCache cache = new DiskCache(dir);
        IllegalStateException boom = new IllegalStateException("builder failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> cache.get("k", target -> {
            Files.writeString(target.resolve("half"), "x");
            throw boom;
        }));
        assertSame(boom, thrown, "the builder's own typed exception reaches the caller");
        assertFalse(Files.exists(dir.resolve("k")));
        assertEquals(List.of("k.lock"), names(dir));
        Path entry = cache.get("k", target -> Files.writeString(target.resolve("whole"), "y"));
        assertTrue(Files.isRegularFile(entry.resolve("whole")));
        assertFalse(Files.exists(entry.resolve("half")));
    }

    @Test
    void leftoversOfAKilledBuilderAreRemovedAndEvictForcesARebuild() throws Exception {
        Files.createDirectories(dir.resolve("k.building-dead/sub"));
        DiskCache cache = new DiskCache(dir);
        AtomicInteger builds = new AtomicInteger();
        DiskCache.Builder b = target -> Files.writeString(target.resolve("n"), String.valueOf(builds.incrementAndGet()));
        Path entry = cache.get("k", b);
        assertFalse(Files.exists(dir.resolve("k.building-dead")));
        cache.evict("k");
        assertFalse(Files.exists(entry));
        assertEquals("2", Files.readString(cache.get("k", b).resolve("n")));
        assertThrows(IllegalArgumentException.class, () -> cache.path("../escape"));
    }

    @Test
    void mountsLeftBelowAFailedBuildAreUnmountedBeforeDeletion() throws Exception {
        DiskCache cache = new DiskCache(dir);
        IOException failure = assertThrows(IOException.class, () -> {
            try {
                cache.get("m", target -> {
                    Path proc = Files.createDirectories(target.resolve("rootfs/proc"));
                    Commands.Result r = Commands.run(List.of("mount", "-t", "tmpfs", "tmpfs", proc.toString()), null,
                            java.time.Duration.ofSeconds(20));
                    assertEquals(0, r.exitCode(), r.tail());
                    Files.writeString(proc.resolve("inside-the-mount"), "x");
                    throw new IOException("debootstrap-like failure with a mount left behind");
                });
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        });
        assertTrue(failure.getMessage().contains("mount left behind"), failure.getMessage());
        assertEquals(List.of("m.lock"), names(dir));
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
