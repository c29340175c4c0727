package dev.damselfly.rafsmount.fuse.kernel;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request loop on {@code /dev/fuse}: each worker thread reads one request, answers it through
 * {@link RafsRequests} and writes the reply, then reads the next. Starts with one worker and adds one whenever every
 * worker is busy (a read waiting for a slow chunk source must not hold up the others), up to a maximum; workers
 * never shrink while mounted. Every worker leaves when the kernel ends the connection (unmount: {@code ENODEV});
 * {@link #ended()} completes when the last one has.
 */
final class KernelWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(KernelWorkers.class);
    /** Receive buffer per worker, bytes: the largest request plus headers. */
    private static final int IN_BYTES = RafsRequests.MAX_WRITE + 4096;
    /** Reply buffer per worker, bytes: the largest READ plus its header. */
    private static final int OUT_BYTES = FuseAbi.OUT_HEADER + RafsRequests.MAX_READ;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private final DevFuse device;
    private final RafsRequests requests;
    private final int maxWorkers;
    private final String label;
    private final Runnable onFatal;
    private final AtomicInteger alive = new AtomicInteger();
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final LongAdder answered = new LongAdder();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    /**
     * @param maxWorkers most workers at once, threads
     * @param label      the mount point, for thread names and logs
     * @param onFatal    run once by a worker whose read failed for good (the other workers wake only when the mount
     *                   goes away, so this should unmount)
     */
    KernelWorkers(DevFuse device, RafsRequests requests, int maxWorkers, String label, Runnable onFatal) {
        this.device = device;
        this.requests = requests;
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

    /** Workers started so far, threads. */
    int started() {
        return started.get();
    }

    /** Requests answered so far. */
    long answered() {
        return answered.sum();
    }

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
            Pointer inMem = Memory.allocateDirect(device.runtime(), IN_BYTES);
            Pointer outMem = Memory.allocateDirect(device.runtime(), OUT_BYTES);
            ByteBuffer in = MEMORY.newDirectByteBuffer(inMem.address(), IN_BYTES).order(ByteOrder.nativeOrder());
            ByteBuffer out = MEMORY.newDirectByteBuffer(outMem.address(), OUT_BYTES).order(ByteOrder.nativeOrder());
            while (true) {
                idle.incrementAndGet();
                long n = device.read(inMem, IN_BYTES);
                boolean lastIdle = idle.decrementAndGet() == 0;
                if (n > 0) {
                    if (lastIdle) {
                        grow();
                    }
                    int opcode = in.getInt(4);
                    int len = requests.answer(in, (int) n, out);
                    answered.increment();
                    if (len > 0) {
                        int err = device.write(outMem, len);
                        if (err == 0) {
                            requests.replied(opcode);
                        } else if (err != -FuseAbi.ENOENT) { // ENOENT: the request was interrupted meanwhile
                            LOG.debug("mount={} writing a reply failed with errno {}", label, -err);
                        }
                    }
                } else if (n == -FuseAbi.ENODEV) {
                    return; // unmounted: the connection has ended
                } else if (n != -FuseAbi.EINTR && n != -FuseAbi.EAGAIN && n != -FuseAbi.ENOENT) {
                    fatal("reading a request failed with errno " + -n);
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
        onFatal.run();
    }
}
