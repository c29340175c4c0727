package dev.damselfly.scheduler.server.resource;

/** Scheduler task states; {@link #wireName()} is the string sent in {@code Task.state}. */
public enum TaskState {
    PENDING("Pending"), RUNNING("Running"), SUCCEEDED("Succeeded"), FAILED("Failed"), LEAVE("Leave");

    private final String wireName;

    TaskState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
