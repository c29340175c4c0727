package dev.damselfly.piecestore;

import java.nio.file.Path;

/** An I/O error on a task's content file other than a full disk. {@code pieceNumber} is -1 when no piece is involved. */
public final class ContentIOException extends TaskFileException {
    private static final long serialVersionUID = 1L;

    public ContentIOException(String taskId, int pieceNumber, Path path, Throwable cause) {
        super("I/O error on task " + taskId + (pieceNumber >= 0 ? " piece " + pieceNumber : "") + " at " + path + ": "
                + cause, cause, taskId, pieceNumber, path);
    }
}
