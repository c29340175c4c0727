package dev.damselfly.piecestore;

import java.nio.file.Path;

/**
 * A test seam on the write path's two durability steps, so a test can check their order (bytes forced, then record
 * committed; see {@link PieceStore}). Package-private: the public {@link PieceStore#open} always uses {@link #NONE}.
 * Calls come from writer threads, possibly several at once.
 */
interface WriteObserver {
    /** Observes nothing. */
    WriteObserver NONE = new WriteObserver() {
    };

    /** A force of the content file at {@code file} has just completed. */
    default void contentForced(Path file) {
    }

    /** The record of piece {@code number} of {@code taskId} has just been committed to RocksDB. */
    default void pieceCommitted(String taskId, int number) {
    }
}
