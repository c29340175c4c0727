package dev.damselfly.rafsmount.prefetch;

import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.inspect.TreeWalker;
import dev.damselfly.rafsmount.read.ChunkLoader;
import dev.damselfly.rafsmount.read.SourceReads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one prefetch in the background: plans the files (listed ones first, then all others when asked), gathers
 * each phase's chunks in blob order, cuts them into source reads of up to {@code readBytes} over chunks that lie
 * next to each other (an image built with a prefetch list keeps the listed files' chunks together, so they take a
 * few large reads), and runs those reads on {@link #THREADS} threads through the mount's {@link ChunkLoader}
 * (verified and single-flight, like readers' reads); with a bandwidth limit one thread reads and sleeps as needed.
 * A read that fails is logged, counted against the files it held, and skipped.
 */
public final class Prefetcher {
    private static final Logger LOG = LoggerFactory.getLogger(Prefetcher.class);
    /** Largest source read a prefetch makes by default: 4 MiB (the mount's amplify_io when that is larger). */
    public static final int DEFAULT_READ_BYTES = 4 << 20;
    /** Source reads a prefetch keeps in flight without a bandwidth limit: 4. */
    public static final int THREADS = 4;
    /**
     * Chunks planned (sorted and cut into reads) at once: 16,384 (a few MiB of heap; an image's whole chunk list
     * could be millions). Files are taken in order until a group holds this many.
     */
    static final int PLAN_CHUNKS = 16_384;

    private final RafsImage image;
    private final ChunkLoader loader;
    private final PrefetchPolicy policy;
    private final int readBytes;
    private final long gapBytes;
    private final AtomicLong planned = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong storedBytes = new AtomicLong();
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean cancelled;
    private volatile long startNanos;
    private Thread thread;

    /**
     * @param readBytes largest source read in bytes (at least one chunk is always read whole); reads span gaps
     *                  between wanted chunks as the loader's do ({@link ChunkLoader#mergeGapBytes()})
     */
    public Prefetcher(RafsImage image, ChunkLoader loader, PrefetchPolicy policy, int readBytes) {
        this.image = image;
        this.loader = loader;
        this.policy = policy;
        this.readBytes = readBytes;
        this.gapBytes = loader.mergeGapBytes();
    }

    /** Starts the background thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("prefetch already started");
        }
        thread = new Thread(this::run, "rafs-prefetch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops after the reads in flight and waits for the prefetch to end (at most 10 s). */
    public void cancel() throws InterruptedException {
        cancelled = true;
        finished.await(10, TimeUnit.SECONDS);
    }

    /** Waits until the prefetch has finished; false on timeout. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    public PrefetchProgress progress() {
        return new PrefetchProgress(planned.get(), done.get(), bytes.get(), failed.size(), finished.getCount() == 0);
    }

    private void run() {
        startNanos = System.nanoTime();
        int threads = policy.bytesPerSecond() > 0 ? 1 : THREADS;
        ExecutorService readers = Executors.newFixedThreadPool(threads, runnable -> {
            Thread t = new Thread(runnable, "rafs-prefetch-read");
            t.setDaemon(true);
            return t;
        });
        int reads = 0;
        try {
            List<Map<Long, String>> phases = plan();
            planned.set(phases.stream().mapToLong(Map::size).sum());
            LOG.info("prefetch started: {} files, limit {} B/s", planned.get(), policy.bytesPerSecond() == 0 ? "none" : policy.bytesPerSecond());
            for (Map<Long, String> files : phases) {
                Iterator<Map.Entry<Long, String>> next = files.entrySet().iterator();
                while (next.hasNext() && !cancelled) {
                    int[] groupFiles = {0};
                    List<List<Wanted>> runs = runs(next, groupFiles);
                    reads += runs.size();
                    List<Future<?>> futures = new ArrayList<>(runs.size());
                    for (List<Wanted> run : runs) {
                        futures.add(readers.submit(() -> read(run)));
                    }
                    for (Future<?> f : futures) {
                        f.get();
                    }
                    if (!cancelled) {
                        done.addAndGet(groupFiles[0]);
                    }
                }
                if (cancelled) {
                    break;
                }
            }
            LOG.info("prefetch {}: {} of {} files, {} bytes in {} reads of {} stored bytes, {} files failed, {} ms",
                    cancelled ? "cancelled" : "finished", done.get(), planned.get(), bytes.get(), reads, storedBytes.get(),
                    failed.size(), (System.nanoTime() - startNanos) / 1_000_000);
        } catch (RafsException | RuntimeException e) {
            LOG.warn("prefetch stopped: {}", e.toString());
        } catch (ExecutionException e) {
            LOG.warn("prefetch stopped: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            readers.shutdownNow();
            finished.countDown();
        }
    }

    /** Regular files by handle, each once: the listed ones, then (when asked) every other one. */
    private List<Map<Long, String>> plan() throws RafsException {
        Map<Long, String> files = new LinkedHashMap<>();
        if (policy.paths().isEmpty()) {
            for (long handle : image.prefetchHandles()) {
                files.putIfAbsent(handle, handle == image.rootHandle() ? "/" : "prefetch-table#" + handle);
            }
        } else {
            for (String path : policy.paths()) {
                OptionalLong handle = image.resolve(path);
                if (handle.isPresent()) {
                    files.putIfAbsent(handle.getAsLong(), path);
                } else {
                    LOG.debug("prefetch list names {} which the image does not have", path);
                }
            }
        }
        // Table entries may be directories: expand them, and drop anything that is not a regular file.
        Map<Long, String> listed = new LinkedHashMap<>();
        for (Map.Entry<Long, String> e : files.entrySet()) {
            FileType type = image.stat(e.getKey()).type();
            if (type == FileType.REGULAR) {
                listed.putIfAbsent(e.getKey(), e.getValue());
            } else if (type == FileType.DIRECTORY) {
                String base = e.getValue().startsWith("/") ? e.getValue() : e.getValue() + ":";
                TreeWalker.walk(image, e.getKey(), base, (path, depth, attributes) -> {
                    if (attributes.type() == FileType.REGULAR) {
                        listed.putIfAbsent(attributes.handle(), path);
                    }
                });
            }
        }
        List<Map<Long, String>> phases = new ArrayList<>();
        phases.add(listed);
        if (policy.everything()) {
            Map<Long, String> rest = new LinkedHashMap<>();
            TreeWalker.walk(image, (path, depth, attributes) -> {
                if (attributes.type() == FileType.REGULAR && !listed.containsKey(attributes.handle())) {
                    rest.putIfAbsent(attributes.handle(), path);
                }
            });
            phases.add(rest);
        }
        return phases;
    }

    /** A chunk to fetch and the file it was planned for (for logs and failure counts). */
    private record Wanted(ChunkRef chunk, String file) {
    }

    /**
     * The distinct chunks of the next files (until {@link #PLAN_CHUNKS} are gathered) in blob order, cut into source
     * reads; counts the files taken into {@code fileCount[0]}.
     */
    private List<List<Wanted>> runs(Iterator<Map.Entry<Long, String>> files, int[] fileCount) throws RafsException {
        Map<List<Long>, Wanted> distinct = new LinkedHashMap<>();
        while (files.hasNext() && distinct.size() < PLAN_CHUNKS) {
            Map.Entry<Long, String> file = files.next();
            fileCount[0]++;
            for (ChunkRef chunk : image.chunks(file.getKey())) {
                if (!chunk.hole()) {
                    distinct.putIfAbsent(List.of((long) chunk.blobIndex(), chunk.chunkIndex()), new Wanted(chunk, file.getValue()));
                }
            }
        }
        return SourceReads.cut(new ArrayList<>(distinct.values()), Wanted::chunk, gapBytes, readBytes);
    }

    /** One source read (on a reader thread); failures are logged and counted against the run's files. */
    private void read(List<Wanted> run) {
        if (cancelled) {
            return;
        }
        String label = run.get(0).file();
        List<ChunkRef> chunks = new ArrayList<>(run.size());
        long stored = 0;
        for (Wanted w : run) {
            chunks.add(w.chunk());
            stored += w.chunk().compressedSize();
        }
        try {
            long size = 0;
            for (byte[] chunk : loader.prefetch(label, chunks, readBytes)) {
                size += chunk.length;
            }
            bytes.addAndGet(size);
            long total = storedBytes.addAndGet(stored);
            if (policy.bytesPerSecond() > 0) {
                long dueNanos = (long) (total * 1e9 / policy.bytesPerSecond());
                long aheadNanos = dueNanos - (System.nanoTime() - startNanos);
                if (aheadNanos > 0) {
                    TimeUnit.NANOSECONDS.sleep(aheadNanos);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Wanted w : run) {
                failed.add(w.file());
            }
            LOG.warn("prefetch read of {} chunks ({} and {} other files) failed: {}", run.size(), label,
                    run.stream().map(Wanted::file).distinct().count() - 1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
