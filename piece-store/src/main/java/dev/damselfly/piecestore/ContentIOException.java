package dev.damselfly.piecestore;

import java.nio.file.Path;

/** An I/O error on a task's content file other than a full disk. {@code pieceNumber} is -1 when no piece is involved. */
public final class ContentIOException extends PieceStoreException {
    private static final long serialVersionUID = 1L;
    private final String taskId;
    private final int pieceNumber;
    private final Path path;

    public ContentIOException(String taskId, int pieceNumber, Path path, Throwable cause) {
        super("I/O error on task " + taskId + (pieceNumber >= 0 ? " piece " + pieceNumber : "") + " at " + path + ": "
                + cause, cause);
        this.taskId = taskId;
        this.pieceNumber = pieceNumber;
        this.path = path;
    }

    public String taskId() {
        return taskId;
    }

    public int pieceNumber() {
        return pieceNumber;
    }

    public Path path() {
        return path;
    }
}
