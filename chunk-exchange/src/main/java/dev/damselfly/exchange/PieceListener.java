package dev.damselfly.exchange;

/**
 * Told when a piece of a task has been committed to this node's piece store, so SyncPieces streams waiting
 * on it can announce it to children at once instead of on their next poll.
 */
@FunctionalInterface
public interface PieceListener {
    void pieceStored(String taskId, int number);
}
