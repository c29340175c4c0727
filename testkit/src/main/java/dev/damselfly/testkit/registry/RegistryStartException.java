package dev.damselfly.testkit.registry;

/** The registry process did not come up (exited, or {@code GET /v2/} never answered); carries its output. */
public final class RegistryStartException extends RegistryException {

    private static final long serialVersionUID = 1L;

    private final String logs;

    /**
     * @param message what went wrong (port, exit code, timeout)
     * @param logs    the process's captured stdout+stderr
     * @param cause   underlying error, may be {@code null}
     */
    public RegistryStartException(String message, String logs, Throwable cause) {
        super(message + "\n--- docker-registry output ---\n" + logs, cause);
        this.logs = logs;
    }

    /** @return the captured output of the failed process */
    public String logs() {
        return logs;
    }
}
