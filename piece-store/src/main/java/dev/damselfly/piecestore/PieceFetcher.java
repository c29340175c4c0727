package dev.damselfly.piecestore;

import java.io.IOException;

/**
 * Gets a missing piece from elsewhere (a parent peer, the registry) for
 * {@link PieceStore#getOrFetch}. Called by at most one thread at a time per piece.
 */
@FunctionalInterface
public interface PieceFetcher {
    /**
     * @param taskId the task
     * @param number piece number
     * @param offset byte offset of the piece in the task's content
     * @param length bytes expected
     */
    FetchedPiece fetch(String taskId, int number, long offset, int length) throws IOException;
}
