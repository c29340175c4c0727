package dev.damselfly.testkit.skopeo;

import java.util.List;

/** skopeo failed, timed out or is missing; carries the command and its output. */
public final class SkopeoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param command  the command line (credentials masked)
     * @param exitCode exit code, or -1 when it did not finish
     * @param output   combined stdout and stderr
     * @param cause    underlying error, may be {@code null}
     */
    public SkopeoException(List<String> command, int exitCode, String output, Throwable cause) {
        super("skopeo failed (exit " + exitCode + "): " + String.join(" ", command) + "\n" + output, cause);
    }
}
