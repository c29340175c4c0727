package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafsmount.source.BlobSource;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FUSE request loop runs on Java worker threads: requests are served concurrently, every callback runs on a
 * worker that stays attached to the JVM (no thread is attached per request), and on unmount every worker ends and
 * nothing stays mounted.
 */
class FuseWorkerLoopTest {
    /** Readers started at once; the source holds the first this-many reads until all are in flight. */
    private static final int READERS = 4;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void concurrentReadsAreServedAtOnceWithCorrectBytesAndTheWorkersEndOnUnmount(FuseTransport transport) throws Exception {
        BuiltImage image = BuiltImage.small(tmp.resolve("image"));
        assertEquals(READERS, image.files().size());
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try (FileBlobSource files = FileBlobSource.directory(image.blobDir())) {
            RendezvousSource source = new RendezvousSource(files, READERS);
            try (MountHandle m = RafsMount.mount(image.bootstrap(), mp, MountOptions.of(source).withTransport(transport))) {
                CyclicBarrier go = new CyclicBarrier(READERS);
                List<Future<byte[]>> reads = new ArrayList<>();
                for (String path : image.files().keySet()) {
                    reads.add(pool.submit(() -> {
                        go.await(10, TimeUnit.SECONDS);
                        return Files.readAllBytes(mp.resolve(path));
                    }));
                }
                int i = 0;
                for (Map.Entry<String, byte[]> file : image.files().entrySet()) {
                    // a loop that served one request at a time would leave the source's rendezvous broken: EIO here
                    assertArrayEquals(file.getValue(), reads.get(i++).get(30, TimeUnit.SECONDS), file.getKey());
                }
                assertTrue(source.metAtOnce(), "the first " + READERS + " source reads were in flight together");
                assertTrue(source.callers().stream().allMatch(n -> n.startsWith("fuse-worker-")),
                        "callbacks ran on the mount's Java workers: " + source.callers());
                assertTrue(workers(mp).size() >= READERS, "at least one worker per concurrent request: " + workers(mp));
                assertTrue(workers(mp).size() <= 64, "at most the default maximum of workers: " + workers(mp));
            }
            assertFalse(MountTableView.mounted(mp), "nothing stays mounted");
            assertEquals(List.of(), workersAfterUnmount(mp), "every worker thread ended");
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void metadataRequestsDoNotAttachAThreadEach(FuseTransport transport) throws Exception {
        BuiltImage image = BuiltImage.small(tmp.resolve("image"));
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int lookups = 2_000;
        try (FileBlobSource files = FileBlobSource.directory(image.blobDir());
             MountHandle m = RafsMount.mount(image.bootstrap(), mp, MountOptions.of(files).withTransport(transport))) {
            long before = threads.getTotalStartedThreadCount();
            for (int i = 0; i < lookups; i++) {
                // each name is new to the kernel: one LOOKUP request, one getattr callback
                assertFalse(Files.exists(mp.resolve("usr/missing-" + i)));
            }
            assertTrue(Files.exists(mp.resolve("usr/lib/a.bin")));
            long started = threads.getTotalStartedThreadCount() - before;
            // libfuse's own loop ran each of its native threads' first 1,000 callbacks in a fresh JVM attach:
            // about one started thread per request here
            assertTrue(started < 50, started + " threads started (or attached) for " + lookups + " lookups");
        }
        assertFalse(MountTableView.mounted(mp));
        assertEquals(List.of(), workersAfterUnmount(mp), "every worker thread ended");
    }

    /** Live worker threads of the mount at {@code mp} (named {@code fuse-worker-N MOUNTPOINT}). */
    private static List<String> workers(Path mp) {
        String suffix = " " + mp;
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("fuse-worker-") && t.getName().endsWith(suffix)) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /** The mount's worker threads still alive after waiting up to 5 s for them to end (empty when all ended). */
    private static List<String> workersAfterUnmount(Path mp) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!workers(mp).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return workers(mp);
    }

    /**
     * A real file source whose first {@code parties} reads wait for each other (10 s at most, then fail with an
     * IOException, which the mount answers with EIO): they complete only if that many reads are in flight at once.
     * Records the names of the threads that call it.
     */
    private static final class RendezvousSource implements BlobSource {
        private final BlobSource delegate;
        private final CyclicBarrier barrier;
        private final AtomicInteger arrivals = new AtomicInteger();
        private final Set<String> callers = ConcurrentHashMap.newKeySet();
        private volatile boolean met;

        RendezvousSource(BlobSource delegate, int parties) {
            this.delegate = delegate;
            this.barrier = new CyclicBarrier(parties, () -> met = true);
        }

        @Override
        public String name() {
            return "rendezvous(" + delegate.name() + ")";
        }

        @Override
        public byte[] read(String blobId, long offset, int length) throws IOException {
            callers.add(Thread.currentThread().getName());
            if (arrivals.incrementAndGet() <= barrier.getParties()) {
                try {
                    barrier.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted at the rendezvous", e);
                } catch (BrokenBarrierException | TimeoutException e) {
                    throw new IOException("only " + barrier.getNumberWaiting() + " reads were in flight together", e);
                }
            }
            return delegate.read(blobId, offset, length);
        }

        boolean metAtOnce() {
            return met;
        }

        Set<String> callers() {
            return Set.copyOf(callers);
        }
    }
}
