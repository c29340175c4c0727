package dev.damselfly.piecestore;

/** A {@link PieceFetcher} failed to get a piece for {@link PieceStore#getOrFetch}; the piece stays missing. */
public final class PieceFetchException extends PieceStoreException {
    private static final long serialVersionUID = 1L;

    public PieceFetchException(String taskId, int pieceNumber, Throwable cause) {
        super("fetch of task " + taskId + " piece " + pieceNumber + " failed: " + cause, cause);
    }
}
