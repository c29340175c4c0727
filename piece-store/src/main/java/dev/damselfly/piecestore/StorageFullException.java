package dev.damselfly.piecestore;

import java.nio.file.Path;

/**
 * A write could not be stored: the file system is full ({@code ENOSPC}), or the store's disk budget is
 * exhausted and garbage collection could not free enough unpinned tasks. Nothing was committed; the
 * store stays consistent and the piece stays missing.
 */
public final class StorageFullException extends PieceStoreException {
    private static final long serialVersionUID = 1L;
    private final String taskId;
    private final int pieceNumber;
    private final Path path;

    public StorageFullException(String taskId, int pieceNumber, Path path, String why, Throwable cause) {
        super("no space to store piece " + pieceNumber + " of task " + taskId + " in " + path + ": " + why, cause);
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

    /** The content file, store directory or metadata directory that had no room. */
    public Path path() {
        return path;
    }
}
