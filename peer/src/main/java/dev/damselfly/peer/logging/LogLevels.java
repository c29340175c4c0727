package dev.damselfly.peer.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sets the root log level at run time ({@link LogSetup} starts it at WARN). */
public final class LogLevels {
    private LogLevels() {
    }

    /** DEBUG when {@code verbose}, else WARN. No effect when SLF4J is bound to something other than Logback. */
    public static void configure(boolean verbose) {
        configure(verbose, false);
    }

    /**
     * DEBUG when {@code verbose}; else INFO for a long-running daemon ({@code node}, {@code scheduler}: its one line
     * per event is what operators read), WARN for a command. No effect when SLF4J is not bound to Logback.
     */
    public static void configure(boolean verbose, boolean daemon) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(verbose ? Level.DEBUG : daemon ? Level.INFO : Level.WARN);
        }
    }
}
