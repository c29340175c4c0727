package dev.damselfly.piecestore;

/**
 * Told when a task leaves the store, so its owner (the P2P layer) can tell the scheduler. Called once per
 * deletion, after the metadata is gone, on the thread that deleted it (a GC thread for evictions); must not
 * block for long. Exceptions it throws are logged and ignored.
 */
@FunctionalInterface
public interface TaskDeletionListener {
    void taskDeleted(String taskId, DeletionReason reason);
}
