package dev.damselfly.rafsmount.fuse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Waiting for a mount's request loop (its future {@code exit}) to end, the same for every transport. */
public final class LoopExit {
    private static final Logger LOG = LoggerFactory.getLogger(LoopExit.class);

    private LoopExit() {
    }

    /**
     * After the mount at {@code mountpoint} was unmounted: waits up to {@code waitMs} ms for its loop to end and
     * returns whether it did (only then may the image behind it be closed); a loop still running is logged.
     */
    public static boolean afterUnmount(CompletableFuture<?> exit, Object mountpoint, long waitMs) {
        try {
            exit.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            LOG.warn("FUSE loop of {} ended with {}", mountpoint, e.getCause().toString());
        } catch (TimeoutException e) {
            LOG.warn("FUSE loop of {} still runs {} ms after the unmount (lazily detached, still in use)", mountpoint, waitMs);
            return false;
        }
        LOG.info("unmounted {}", mountpoint);
        return true;
    }

    /** Blocks until the loop of the mount at {@code mountpoint} ends, however it ends. */
    public static void await(CompletableFuture<?> exit, Object mountpoint) throws InterruptedException {
        try {
            exit.get();
        } catch (ExecutionException e) {
            LOG.debug("FUSE loop of {} ended with {}", mountpoint, e.getCause().toString());
        }
    }
}
