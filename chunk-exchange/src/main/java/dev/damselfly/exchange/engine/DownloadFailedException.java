package dev.damselfly.exchange.engine;

/** A download of a task failed; names the task. Subclasses say why. */
public class DownloadFailedException extends RuntimeException {
    private final String taskId;

    public DownloadFailedException(String taskId, String reason, Throwable cause) {
        super("download of task " + taskId + " failed: " + reason, cause);
        this.taskId = taskId;
    }

    public String taskId() {
        return taskId;
    }
}
