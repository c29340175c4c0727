package dev.damselfly.rafsmount.prefetch;

import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.inspect.TreeWalker;
import dev.damselfly.rafsmount.read.ChunkLoader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one prefetch on a daemon thread: plans the files (listed ones first, then all others when asked), then
 * loads each file's chunks through the mount's {@link ChunkLoader} in batches of up to {@code batchBytes},
 * sleeping as needed to stay under the bandwidth limit. A file that fails is logged and skipped.
 */
public final class Prefetcher {
    private static final Logger LOG = LoggerFactory.getLogger(Prefetcher.class);

    private final RafsImage image;
    private final ChunkLoader loader;
    private final PrefetchPolicy policy;
    private final int batchBytes;
    private final AtomicLong planned = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean cancelled;
    private Thread thread;

    public Prefetcher(RafsImage image, ChunkLoader loader, PrefetchPolicy policy, int batchBytes) {
        this.image = image;
        this.loader = loader;
        this.policy = policy;
        this.batchBytes = batchBytes;
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

    /** Stops at the next batch and waits for the thread (at most 10 s). */
    public void cancel() throws InterruptedException {
        cancelled = true;
        finished.await(10, TimeUnit.SECONDS);
    }

    /** Waits until the prefetch has finished; false on timeout. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    public PrefetchProgress progress() {
        return new PrefetchProgress(planned.get(), done.get(), bytes.get(), failures.get(), finished.getCount() == 0);
    }

    private void run() {
        long start = System.nanoTime();
        try {
            Map<Long, String> files = plan();
            planned.set(files.size());
            LOG.info("prefetch started: {} files, limit {} B/s", files.size(), policy.bytesPerSecond() == 0 ? "none" : policy.bytesPerSecond());
            for (Map.Entry<Long, String> file : files.entrySet()) {
                if (cancelled) {
                    break;
                }
                prefetchFile(file.getKey(), file.getValue(), start);
                done.incrementAndGet();
            }
            LOG.info("prefetch {}: {} of {} files, {} bytes, {} failed, {} ms", cancelled ? "cancelled" : "finished", done.get(),
                    planned.get(), bytes.get(), failures.get(), (System.nanoTime() - start) / 1_000_000);
        } catch (RafsException | RuntimeException e) {
            LOG.warn("prefetch stopped: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finished.countDown();
        }
    }

    /** Regular files by handle, in prefetch order (listed first), each once. */
    private Map<Long, String> plan() throws RafsException {
        Map<Long, String> files = new LinkedHashMap<>();
        if (policy.paths().isEmpty()) {
            for (long handle : image.prefetchHandles()) {
                files.putIfAbsent(handle, "prefetch-table#" + handle);
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
        Map<Long, String> regular = new LinkedHashMap<>();
        for (Map.Entry<Long, String> e : files.entrySet()) {
            FileType type = image.stat(e.getKey()).type();
            if (type == FileType.REGULAR) {
                regular.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        if (policy.everything()) {
            TreeWalker.walk(image, (path, depth, attributes) -> {
                if (attributes.type() == FileType.REGULAR) {
                    regular.putIfAbsent(attributes.handle(), path);
                }
            });
        }
        return regular;
    }

    private void prefetchFile(long handle, String path, long start) throws InterruptedException {
        try {
            List<ChunkRef> batch = new ArrayList<>();
            long batchSize = 0;
            for (ChunkRef chunk : image.chunks(handle)) {
                if (chunk.hole()) {
                    continue;
                }
                batch.add(chunk);
                batchSize += chunk.uncompressedSize();
                if (batchSize >= batchBytes) {
                    load(path, batch, start);
                    batch = new ArrayList<>();
                    batchSize = 0;
                    if (cancelled) {
                        return;
                    }
                }
            }
            if (!batch.isEmpty()) {
                load(path, batch, start);
            }
        } catch (IOException e) {
            failures.incrementAndGet();
            LOG.warn("prefetch of {} failed: {}", path, e.getMessage());
        }
    }

    private void load(String path, List<ChunkRef> batch, long start) throws IOException, InterruptedException {
        long size = 0;
        for (byte[] chunk : loader.prefetch(path, batch)) {
            size += chunk.length;
        }
        long total = bytes.addAndGet(size);
        if (policy.bytesPerSecond() > 0) {
            long dueNanos = (long) (total * 1e9 / policy.bytesPerSecond());
            long aheadNanos = dueNanos - (System.nanoTime() - start);
            if (aheadNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(aheadNanos);
            }
        }
    }
}
