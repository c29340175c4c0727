package dev.damselfly.scheduler.client;

import java.time.Duration;

/** The scheduler did not answer within the schedule timeout. */
public final class ScheduleTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ScheduleTimeoutException(String taskId, String peerId, Duration timeout) {
        super("no scheduling decision for task " + taskId + " peer " + peerId + " within " + timeout);
    }
}
