package dev.damselfly.exchange.engine;

/**
 * The whole content of a task did not hash to the expected SHA-256. The task has been deleted from the
 * store by the time this is thrown.
 */
public final class ContentDigestMismatchException extends DownloadFailedException {
    private final String expected;
    private final String actual;

    public ContentDigestMismatchException(String taskId, String url, String expected, String actual) {
        super(taskId, "content of " + url + " has digest sha256:" + actual + ", expected sha256:" + expected
                + " (task deleted)", null);
        this.expected = expected;
        this.actual = actual;
    }

    /** Expected SHA-256, 64 hex. */
    public String expected() {
        return expected;
    }

    /** Actual SHA-256, 64 hex. */
    public String actual() {
        return actual;
    }
}
