package dev.damselfly.piecestore;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs garbage collection: one run at a time (serialized by a lock readers never take), periodically, in the
 * background when a commit crosses the high watermark, and in a writer's thread when the budget has no room for
 * its piece. Which tasks go is {@link GarbageCollector}'s choice; the deleting is {@link TaskRemover}'s.
 * Budget and watermarks compare {@link DiskUsage#usedBytes()}.
 */
final class Evictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Evictor.class);

    private final StoreContext ctx;
    private final TaskRegistry tasks;
    private final TaskRemover remover;
    private final GarbageCollector policy;
    private final Object gcLock = new Object();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final ScheduledExecutorService executor;

    Evictor(StoreContext ctx, TaskRegistry tasks, TaskRemover remover) {
        this.ctx = ctx;
        this.tasks = tasks;
        this.remover = remover;
        this.policy = new GarbageCollector(ctx.config);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "piece-store-gc");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the periodic run (if configured) and a first run if the store opened above the high mark. */
    void start() {
        Duration interval = ctx.config.gcInterval();
        if (!interval.isZero()) {
            executor.scheduleWithFixedDelay(this::runQuietly, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        triggerIfAboveHigh();
    }

    /** One run now in this thread; {@code incoming} = bytes a waiting writer is about to add. */
    GcReport run(long incoming) {
        synchronized (gcLock) {
            long start = System.nanoTime();
            List<GarbageCollector.Victim> victims = policy.select(tasks.snapshot(), ctx.usage.usedBytes(), incoming,
                    ctx.now());
            int count = 0;
            long bytes = 0;
            for (GarbageCollector.Victim v : victims) {
                long held = v.task().storedBytes();
                if (remover.delete(v.task(), v.reason())) {
                    count++;
                    bytes += held;
                    ctx.metrics.evictedBytes.increment(held);
                    ctx.metrics.evictedTask(v.reason());
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            ctx.metrics.gc.record(took);
            if (count > 0) {
                LOG.info("gc run: evicted_tasks={} evicted_bytes={} took_ms={} stored_bytes={} used_bytes={}", count,
                        bytes, took.toMillis(), ctx.usage.storedBytes(), ctx.usage.usedBytes());
            }
            return new GcReport(count, bytes, ctx.usage.storedBytes(), took);
        }
    }

    /** Starts a background run if the used bytes are above the high watermark (at most one queued). */
    void triggerIfAboveHigh() {
        if (policy.aboveHigh(ctx.usage.usedBytes()) && queued.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    queued.set(false);
                    runQuietly();
                });
            } catch (RejectedExecutionException e) {
                queued.set(false);
            }
        }
    }

    /**
     * Makes room under the budget for piece {@code number} of task {@code t} (pinned by the caller, so this run
     * cannot evict it): the blocks it will add to its file, running GC in this thread if needed.
     *
     * @throws StorageFullException if the budget stays too full (the remaining tasks are pinned)
     */
    void ensureRoom(TaskState t, int number) {
        long budget = ctx.config.diskBudgetBytes();
        if (budget == 0) {
            return;
        }
        long need = t.blocksOnlyIn(number, ctx.usage.blockSize());
        if (budget == 0 || ctx.usage.usedBytes() + need <= budget) {
            return;
        }
        run(need);
        if (ctx.usage.usedBytes() + need > budget) {
            throw new StorageFullException(t.taskId, number, ctx.dir, "disk budget of " + budget
                    + " bytes is used up (" + ctx.usage.usedBytes() + " used, " + ctx.usage.releasingBytes()
                    + " of them held by leases on deleted tasks; remaining tasks are pinned)", null);
        }
    }

    private void runQuietly() {
        try {
            run(0);
        } catch (RuntimeException e) {
            LOG.warn("gc run failed: error={}", e.toString());
        }
    }

    /** Stops the background runs and waits for one in progress (up to 10 s). */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code r} with no GC run in progress or starting. */
    void exclusive(Runnable r) {
        synchronized (gcLock) {
            r.run();
        }
    }
}
