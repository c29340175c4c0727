package dev.damselfly.rafsmount.fuse.libfuse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * libfuse's multi-threaded request loop, run on Java threads: each worker receives a request from the
 * session's channel and dispatches it, so the filesystem callbacks run on threads that stay attached to the JVM
 * for their whole life. (libfuse's own {@code fuse_loop_mt} runs them on native threads it starts and ends as
 * load changes; jffi then attaches and detaches such a thread around each of its first 1,000 callbacks, which
 * costs more than most callbacks themselves.) Starts with one worker and adds one whenever every worker is
 * busy, up to a maximum; workers never shrink while mounted. Every worker leaves when the kernel ends the
 * session (unmount); {@link #ended()} completes when the last one has.
 */
final class FuseWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(FuseWorkers.class);
    private static final int EINTR = ErrorCodes.EINTR();
    private static final int EAGAIN = ErrorCodes.EAGAIN();

    private final LibFuseSession lib;
    private final Pointer session;
    private final Pointer channel;
    private final int bufferBytes;
    private final int maxWorkers;
    private final String label;
    private final Runnable onFatal;
    private final Runtime runtime = Runtime.getSystemRuntime();
    private final AtomicInteger alive = new AtomicInteger();
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    /**
     * @param bufferBytes receive buffer per worker, bytes ({@code fuse_chan_bufsize})
     * @param maxWorkers  most workers at once, threads
     * @param label       the mount point, for thread names and logs
     * @param onFatal     run once by a worker whose receive failed for good (the session is marked ended; the
     *                    other workers only wake when the mount goes away, so this should unmount)
     */
    FuseWorkers(LibFuseSession lib, Pointer session, Pointer channel, int bufferBytes, int maxWorkers, String label,
                Runnable onFatal) {
        this.lib = lib;
        this.session = session;
        this.channel = channel;
        this.bufferBytes = bufferBytes;
        this.maxWorkers = maxWorkers;
        this.label = label;
        this.onFatal = onFatal;
    }

    /** Starts the first worker. */
    void start() {
        alive.incrementAndGet();
        if (!spawn()) {
            ended.completeExceptionally(new IllegalStateException("cannot start a FUSE worker thread for " + label));
        }
    }

    /** Completes when the last worker has left its loop. */
    CompletableFuture<Void> ended() {
        return ended;
    }

    /** Workers started so far (threads). */
    int started() {
        return started.get();
    }

    /** Requests dispatched so far. */
    long requests() {
        return requests.sum();
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
        Pointer buf = Memory.allocateDirect(runtime, bufferBytes);
        Pointer chp = Memory.allocateDirect(runtime, runtime.addressSize());
        chp.putPointer(0, channel);
        try {
            while (true) {
                idle.incrementAndGet();
                int n = lib.fuse_chan_recv(chp, buf, bufferBytes);
                boolean lastIdle = idle.decrementAndGet() == 0;
                if (n > 0) {
                    if (lastIdle) {
                        grow();
                    }
                    lib.fuse_session_process(session, buf, n, chp.getPointer(0));
                    requests.increment();
                } else if (n == 0) {
                    return; // unmounted: the session has ended
                } else if (n != -EINTR && n != -EAGAIN) {
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
        lib.fuse_session_exit(session);
        onFatal.run();
    }
}
