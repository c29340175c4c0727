package dev.damselfly.exchange.engine;

/** The origin could not give a task's length or a piece's bytes, after the configured retries. */
public final class OriginUnavailableException extends DownloadFailedException {
    private final String origin;
    private final int pieceNumber;

    /** @param pieceNumber the piece, or -1 for the length lookup (stat) */
    public OriginUnavailableException(String taskId, String origin, int pieceNumber, Throwable cause) {
        super(taskId, (pieceNumber >= 0 ? "piece " + pieceNumber : "content length") + " from origin " + origin
                + ": " + cause, cause);
        this.origin = origin;
        this.pieceNumber = pieceNumber;
    }

    /** The origin as described by {@link dev.damselfly.exchange.Origin#describe()}. */
    public String origin() {
        return origin;
    }

    public int pieceNumber() {
        return pieceNumber;
    }
}
