package dev.damselfly.scheduler.client;

/**
 * No scheduler answered a download that may not fall back to the origin (disable_back_to_source), or a
 * unary call failed; carries the task, peer and scheduler address involved.
 */
public final class SchedulerUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String taskId;
    private final String peerId;
    private final String address;

    public SchedulerUnavailableException(String taskId, String peerId, String address, String reason, Throwable cause) {
        super("scheduler " + address + " unavailable for task " + taskId + " peer " + peerId + ": " + reason, cause);
        this.taskId = taskId;
        this.peerId = peerId;
        this.address = address;
    }

    public String taskId() {
        return taskId;
    }

    public String peerId() {
        return peerId;
    }

    public String address() {
        return address;
    }
}
