package dev.damselfly.exchange.upload;

import dev.damselfly.exchange.PieceListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the SyncPieces streams waiting on a task when one of its pieces is stored. Give it to the download engine
 * as its {@link PieceListener} (one per node, shared with the {@link UploadServer}); without the calls the streams
 * still see new pieces on their next 100 ms poll. Thread-safe; {@link #pieceStored} never blocks.
 */
public final class PieceNotifications implements PieceListener {
    private static final Logger LOG = LoggerFactory.getLogger(PieceNotifications.class);
    private final ConcurrentHashMap<String, Set<Runnable>> waiters = new ConcurrentHashMap<>();

    public PieceNotifications() {
    }

    @Override
    public void pieceStored(String taskId, int number) {
        Set<Runnable> set = waiters.get(taskId);
        if (set == null) {
            return;
        }
        for (Runnable wake : set) {
            try {
                wake.run();
            } catch (RuntimeException e) {
                LOG.warn("piece wake-up failed: task_id={} piece={} error={}", taskId, number, e.toString());
            }
        }
    }

    /**
     * Calls {@code wake} (which must not block) after each piece of {@code taskId} is stored, until the returned
     * registration is closed.
     */
    public Registration register(String taskId, Runnable wake) {
        waiters.compute(taskId, (k, set) -> {
            Set<Runnable> s = set == null ? new CopyOnWriteArraySet<>() : set;
            s.add(wake);
            return s;
        });
        return () -> waiters.computeIfPresent(taskId, (k, set) -> {
            set.remove(wake);
            return set.isEmpty() ? null : set;
        });
    }

    /** Tasks with at least one waiting stream (for tests and diagnostics). */
    public int waitingTasks() {
        return waiters.size();
    }

    /** A registered wake-up; closing it stops the calls. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
