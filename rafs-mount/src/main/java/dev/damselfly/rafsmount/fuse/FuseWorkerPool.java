package dev.damselfly.rafsmount.fuse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that serve one mount's FUSE requests, whatever the transport: each worker waits for a request,
 * handles it, then waits for the next. Starts with one worker and adds one whenever every worker is busy (a read
 * waiting for a slow chunk source must not hold up the others), up to a maximum; workers never shrink while
 * mounted. Every worker leaves when the kernel ends the connection (unmount); {@link #ended()} completes when the
 * last one has. A transport supplies the per-thread {@link Receiver} and says what each non-request status means.
 */
public abstract class FuseWorkerPool {
    private static final Logger LOG = LoggerFactory.getLogger(FuseWorkerPool.class);

    /** What a worker does after a receive that brought no request. */
    protected enum Outcome {
        /** The connection has ended (unmounted): leave quietly. */
        END,
        /** Interrupted or nothing there after all: wait again. */
        RETRY,
        /** A failure that will not go away: leave and call {@link #onFatal}. */
        FAIL
    }

    /** One worker thread's receive buffer and handler. */
    protected interface Receiver {
        /** Blocks until the next request; returns its length in bytes (more than 0) or a transport status. */
        long receive();

        /** Handles the request of {@code length} bytes that {@link #receive()} just brought. */
        void handle(long length);
    }

    private final int maxWorkers;
    private final String label;
    private final AtomicInteger alive = new AtomicInteger();
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final LongAdder handled = new LongAdder();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    /**
     * @param maxWorkers most workers at once, threads
     * @param label      the mount point, for thread names and logs
     */
    protected FuseWorkerPool(int maxWorkers, String label) {
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("maxWorkers must be at least 1, got " + maxWorkers);
        }
        this.maxWorkers = maxWorkers;
        this.label = label;
    }

    /** A new receiver, called once on each worker thread as it starts. */
    protected abstract Receiver newReceiver();

    /** What {@code status}, a {@link Receiver#receive()} result of 0 or less, means. */
    protected abstract Outcome outcome(long status);

    /**
     * Run once by a worker that failed for good (the other workers wake only when the mount goes away, so this
     * should end the session or unmount).
     */
    protected abstract void onFatal();

    /** Starts the first worker. */
    public final void start() {
        alive.incrementAndGet();
        if (!spawn()) {
            ended.completeExceptionally(new IllegalStateException("cannot start a FUSE worker thread for " + label));
        }
    }

    /** Completes when the last worker has left its loop. */
    public final CompletableFuture<Void> ended() {
        return ended;
    }

    /** Workers started so far, threads. */
    public final int started() {
        return started.get();
    }

    /** Requests handled so far. */
    public final long handled() {
        return handled.sum();
    }

    /** Starts a worker already counted in {@link #alive}; false (and uncounted) when the thread cannot start. */
    private boolean spawn() {
        int n = started.incrementAndGet();
        try {
            Thread t = new Thread(this::work, "fuse-worker-" + n + " " + label);
            t.setDaemon(true);
            t.start();
            return true;
        } catch (OutOfMemoryError | RuntimeException e) {
            started.decrementAndGet();
            alive.decrementAndGet();
            LOG.warn("mount={} cannot start FUSE worker {}: {}", label, n, e.toString());
            return false;
        }
    }

    /** Called by a worker that found no idle worker left: adds one unless at the maximum. */
    private void grow() {
        int n;
        do {
            n = alive.get();
            if (n >= maxWorkers) {
                return;
            }
        } while (!alive.compareAndSet(n, n + 1));
        spawn();
    }

    private void work() {
        try {
            Receiver receiver = newReceiver();
            while (true) {
                idle.incrementAndGet();
                long n = receiver.receive();
                boolean lastIdle = idle.decrementAndGet() == 0;
                if (n > 0) {
                    if (lastIdle) {
                        grow();
                    }
                    receiver.handle(n);
                    handled.increment();
                    continue;
                }
                Outcome outcome = outcome(n);
                if (outcome == Outcome.END) {
                    return;
                }
                if (outcome == Outcome.FAIL) {
                    fatal("receiving a request failed with errno " + -n);
                    return;
                }
            }
        } catch (Throwable e) {
            fatal("worker failed: " + e);
        } finally {
            if (alive.decrementAndGet() == 0) {
                ended.complete(null);
            }
        }
    }

    private void fatal(String reason) {
        LOG.error("mount={} FUSE loop ends: {}", label, reason);
        onFatal();
    }
}
