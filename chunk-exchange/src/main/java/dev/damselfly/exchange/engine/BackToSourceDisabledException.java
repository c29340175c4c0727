package dev.damselfly.exchange.engine;

/**
 * A piece could only have come from the origin, and back-to-source is disabled
 * ({@link EngineConfig#backToSourceEnabled()} false): the scheduler was unreachable, told us to go back to
 * source, or no parent had the piece.
 */
public final class BackToSourceDisabledException extends DownloadFailedException {
    private final int pieceNumber;

    /** @param pieceNumber the piece that needed the origin, or -1 when the whole task did */
    public BackToSourceDisabledException(String taskId, int pieceNumber, String why) {
        super(taskId, (pieceNumber >= 0 ? "piece " + pieceNumber + " needs" : "needs")
                + " the origin but back-to-source is disabled: " + why, null);
        this.pieceNumber = pieceNumber;
    }

    public int pieceNumber() {
        return pieceNumber;
    }
}
