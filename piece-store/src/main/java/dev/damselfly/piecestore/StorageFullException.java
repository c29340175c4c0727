package dev.damselfly.piecestore;

import java.nio.file.Path;

/**
 * A write could not be stored: the file system is full ({@code ENOSPC}), or the store's disk budget is
 * exhausted and garbage collection could not free enough unpinned tasks. Nothing was committed; the
 * store stays consistent and the piece stays missing.
 */
public final class StorageFullException extends TaskFileException {
    private static final long serialVersionUID = 1L;

    public StorageFullException(String taskId, int pieceNumber, Path path, String why, Throwable cause) {
        super("no space to store piece " + pieceNumber + " of task " + taskId + " in " + path + ": " + why, cause,
                taskId, pieceNumber, path);
    }
}
