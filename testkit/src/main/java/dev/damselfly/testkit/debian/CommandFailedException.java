package dev.damselfly.testkit.debian;

import java.util.List;

/**
 * An external command of this package (debootstrap, umoci, tar, getfattr) failed, timed out or is missing;
 * names the command line, its exit code and the tail of its output.
 */
public class CommandFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> command;
    private final int exitCode;
    private final String outputTail;

    /**
     * @param what       what was being done, e.g. {@code "umoci repack"}
     * @param command    the command line
     * @param exitCode   exit code, or -1 when it did not finish or could not start
     * @param outputTail last lines of its combined stdout and stderr
     * @param cause      underlying error, may be {@code null}
     */
    public CommandFailedException(String what, List<String> command, int exitCode, String outputTail, Throwable cause) {
        super(what + " failed (exit " + exitCode + "): " + String.join(" ", command) + "\n--- output (tail)\n" + outputTail, cause);
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
        this.outputTail = outputTail;
    }

    /** @return the command line that failed */
    public List<String> command() {
        return command;
    }

    /** @return its exit code, -1 when it did not finish or could not start */
    public int exitCode() {
        return exitCode;
    }

    /** @return the last lines of its output */
    public String outputTail() {
        return outputTail;
    }
}
