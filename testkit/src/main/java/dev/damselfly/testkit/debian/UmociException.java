package dev.damselfly.testkit.debian;

import java.util.List;

/** {@code umoci} (or the copy of the tree into its bundle) failed while building the OCI image. */
public final class UmociException extends CommandFailedException {

    private static final long serialVersionUID = 1L;

    /**
     * @param command    the command line
     * @param exitCode   exit code, or -1 when it did not finish or could not start
     * @param outputTail last lines of its output
     * @param cause      underlying error, may be {@code null}
     */
    public UmociException(List<String> command, int exitCode, String outputTail, Throwable cause) {
        super("umoci image build", command, exitCode, outputTail, cause);
    }
}
