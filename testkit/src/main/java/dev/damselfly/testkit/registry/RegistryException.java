package dev.damselfly.testkit.registry;

/** Base of the errors of the registry harness. */
public class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with context
     * @param cause   underlying error, may be {@code null}
     */
    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
