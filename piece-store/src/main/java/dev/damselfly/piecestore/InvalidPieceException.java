package dev.damselfly.piecestore;

/** Bad input: a piece number outside the task, bytes of the wrong length, a malformed digest or task id. */
public final class InvalidPieceException extends PieceStoreException {
    private static final long serialVersionUID = 1L;

    public InvalidPieceException(String message) {
        super(message);
    }
}
