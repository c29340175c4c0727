package dev.damselfly.piecestore;

import java.nio.file.Path;

/**
 * An error about one task's file on disk: the task, the piece being written or read (−1 when none) and the path
 * involved. Subclasses say what went wrong.
 */
public abstract class TaskFileException extends PieceStoreException {
    private static final long serialVersionUID = 1L;
    private final String taskId;
    private final int pieceNumber;
    private final Path path;

    protected TaskFileException(String message, Throwable cause, String taskId, int pieceNumber, Path path) {
        super(message, cause);
        this.taskId = taskId;
        this.pieceNumber = pieceNumber;
        this.path = path;
    }

    public String taskId() {
        return taskId;
    }

    /** The piece involved, or −1. */
    public int pieceNumber() {
        return pieceNumber;
    }

    /** The file or directory involved. */
    public Path path() {
        return path;
    }
}
