package dev.damselfly.proxy;

/**
 * A request the proxy refuses or cannot serve, with the HTTP status to answer and a reason for the
 * client. Answered with {@code X-Dragonfly-Error-Type: proxy} (and {@code Retry-After} when one is set).
 */
public final class ProxyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final long retryAfterSeconds;

    public ProxyException(int status, String reason) {
        this(status, reason, 0);
    }

    /** @param retryAfterSeconds the {@code Retry-After} to answer with, in seconds; 0 = none */
    public ProxyException(int status, String reason, long retryAfterSeconds) {
        super(reason);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    /** Seconds the client should wait before retrying ({@code Retry-After}); 0 when the answer carries none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
