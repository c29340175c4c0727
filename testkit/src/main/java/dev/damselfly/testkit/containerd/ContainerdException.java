package dev.damselfly.testkit.containerd;

/** containerd could not be started, or a {@code ctr} command could not run. */
public final class ContainerdException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ContainerdException(String message, Throwable cause) {
        super(message, cause);
    }
}
