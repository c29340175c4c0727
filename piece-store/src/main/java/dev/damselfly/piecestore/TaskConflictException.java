package dev.damselfly.piecestore;

/** {@code createTask} was called for an existing task id with a different content length or piece length. */
public final class TaskConflictException extends PieceStoreException {
    private static final long serialVersionUID = 1L;

    public TaskConflictException(String taskId, TaskInfo existing, long contentLength, int pieceLength) {
        super("task " + taskId + " exists with content length " + existing.contentLength() + " and piece length "
                + existing.pieceLength() + ", asked for " + contentLength + " and " + pieceLength);
    }
}
