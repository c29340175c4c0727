package dev.damselfly.testkit.debian;

import java.util.List;

/**
 * {@code debootstrap} failed: carries the command line, its exit code and the tail of its output (and of
 * {@code debootstrap/debootstrap.log} in the target when debootstrap wrote one).
 */
public final class DebootstrapException extends CommandFailedException {

    private static final long serialVersionUID = 1L;

    /**
     * @param command    the debootstrap command line
     * @param exitCode   exit code, or -1 when it did not finish or could not start
     * @param outputTail last lines of its output and log
     * @param cause      underlying error, may be {@code null}
     */
    public DebootstrapException(List<String> command, int exitCode, String outputTail, Throwable cause) {
        super("debootstrap", command, exitCode, outputTail, cause);
    }
}
