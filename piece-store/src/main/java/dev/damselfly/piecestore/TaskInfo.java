package dev.damselfly.piecestore;

import java.time.Instant;

/**
 * A task as the store knows it.
 *
 * @param taskId        Dragonfly task id (64 hex chars usually; any of {@code [A-Za-z0-9._-]}, 1–200 chars)
 * @param contentLength bytes in the whole task
 * @param pieceLength   bytes per piece (the last piece may be shorter)
 * @param pieceCount    number of pieces
 * @param storedPieces  pieces committed and not dropped
 * @param storedBytes   bytes in those pieces
 * @param createdAt     when the task was first created in this store
 * @param lastAccess    last read, write or lease (LRU order and TTL are based on this)
 * @param pinned        whether a lease is open on it (pinned tasks are never garbage collected)
 */
public record TaskInfo(String taskId, long contentLength, int pieceLength, int pieceCount, int storedPieces,
        long storedBytes, Instant createdAt, Instant lastAccess, boolean pinned) {

    /** Whether every piece is stored. */
    public boolean complete() {
        return storedPieces == pieceCount;
    }
}
