package dev.damselfly.piecestore;

import java.nio.file.Path;

/**
 * A write found the content file of a task that already has stored pieces gone from disk (deleted behind the
 * store's back). The file is not recreated (an empty file would sit under the stored pieces' records); the task
 * was dropped ({@link DeletionReason#CONTENT_MISSING}, told to the deletion listener), so the caller creates it
 * again and fetches its pieces anew. Nothing was committed.
 */
public final class ContentMissingException extends TaskFileException {
    private static final long serialVersionUID = 1L;

    public ContentMissingException(String taskId, int pieceNumber, Path path, Throwable cause) {
        super("content file of task " + taskId + " is missing at " + path + " (writing piece " + pieceNumber
                + "); the task was dropped", cause, taskId, pieceNumber, path);
    }
}
