package dev.damselfly.proxy;

/**
 * A request the proxy refuses or cannot serve, with the HTTP status to answer and a reason for the
 * client. Answered with {@code X-Dragonfly-Error-Type: proxy}.
 */
public final class ProxyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ProxyException(int status, String reason) {
        super(reason);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
