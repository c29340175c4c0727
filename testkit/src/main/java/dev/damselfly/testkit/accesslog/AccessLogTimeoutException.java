package dev.damselfly.testkit.accesslog;

import java.time.Duration;

/** The expected access-log entries did not appear in time; the message lists what did appear. */
public final class AccessLogTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param what    description of what was awaited
     * @param timeout how long it was awaited
     * @param seen    the entries that were there when giving up
     */
    public AccessLogTimeoutException(String what, Duration timeout, AccessLogSlice seen) {
        super("timed out after " + timeout.toMillis() + " ms waiting for " + what + "; "
                + seen.size() + " entries seen:\n" + seen);
    }
}
