package dev.damselfly.exchange;

/** A piece could not be downloaded from a parent; names the parent, the task and the piece. */
public class PieceTransferException extends RuntimeException {
    private final String parent;
    private final String taskId;
    private final int pieceNumber;

    public PieceTransferException(String parent, String taskId, int pieceNumber, String reason, Throwable cause) {
        super("piece " + pieceNumber + " of task " + taskId + " from parent " + parent + ": " + reason, cause);
        this.parent = parent;
        this.taskId = taskId;
        this.pieceNumber = pieceNumber;
    }

    /** {@code ip:port} of the parent. */
    public String parent() {
        return parent;
    }

    public String taskId() {
        return taskId;
    }

    public int pieceNumber() {
        return pieceNumber;
    }

    /**
     * True when the parent refused the piece only because it is at its upload capacity: the piece is worth asking
     * again shortly (from it or another parent), and the parent is not faulty.
     */
    public boolean parentBusy() {
        return false;
    }

    /**
     * True when the parent refused the piece only because it is sending that piece to another child, or has just sent
     * it, while it has other pieces to send ("first copies first"): the parent is fine and free for another piece; this
     * piece is worth asking of it again after a moment, or of the child that got it.
     */
    public boolean repeatDeflected() {
        return false;
    }
}
