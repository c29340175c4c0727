package dev.damselfly.testkit.proxy;

/** The proxy or its blob-storage endpoint could not be started. */
public final class ProxyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with context
     * @param cause   the underlying error
     */
    public ProxyException(String message, Throwable cause) {
        super(message, cause);
    }
}
