package dev.damselfly.piecestore;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pin on a task (held by a mount, a proxy response or an upload): while any lease is open the task is
 * never garbage collected. Close it when done; closing twice is harmless.
 */
public final class TaskLease implements AutoCloseable {
    private final String taskId;
    private final Runnable unpin;
    private final AtomicBoolean closed = new AtomicBoolean();

    TaskLease(String taskId, Runnable unpin) {
        this.taskId = taskId;
        this.unpin = unpin;
    }

    public String taskId() {
        return taskId;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            unpin.run();
        }
    }
}
