package dev.damselfly.piecestore;

/** The piece is not (or no longer) stored: never written, incomplete at a crash, dropped as corrupt, or evicted. */
public final class PieceNotFoundException extends PieceStoreException {
    private static final long serialVersionUID = 1L;
    private final String taskId;
    private final int pieceNumber;

    public PieceNotFoundException(String taskId, int pieceNumber, String why) {
        super("piece " + pieceNumber + " of task " + taskId + " is not stored" + (why == null ? "" : ": " + why));
        this.taskId = taskId;
        this.pieceNumber = pieceNumber;
    }

    public String taskId() {
        return taskId;
    }

    public int pieceNumber() {
        return pieceNumber;
    }
}
