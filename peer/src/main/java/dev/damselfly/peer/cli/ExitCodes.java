package dev.damselfly.peer.cli;

/** Exit statuses of the {@code damselfly} command; listed in {@code damselfly --help}. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** The command ran and failed: registry, network, I/O or verification error. */
    public static final int FAILURE = 1;
    /** The command line was wrong: unknown option, bad value, invalid image reference. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
