package dev.damselfly.piecestore;

/**
 * Base of every error the piece store throws. Unchecked so that it crosses async boundaries;
 * subclasses carry the task id, piece number, digests or path involved.
 */
public class PieceStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PieceStoreException(String message) {
        super(message);
    }

    public PieceStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
