package dev.damselfly.piecestore;

/** No task with this id is known to the store (never created, deleted, or evicted). */
public final class TaskNotFoundException extends PieceStoreException {
    private static final long serialVersionUID = 1L;
    private final String taskId;

    public TaskNotFoundException(String taskId) {
        super("task " + taskId + " is not in the store");
        this.taskId = taskId;
    }

    public String taskId() {
        return taskId;
    }
}
