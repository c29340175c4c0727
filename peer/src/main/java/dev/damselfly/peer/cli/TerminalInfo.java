package dev.damselfly.peer.cli;

import java.io.Console;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Whether progress may be drawn in place with ANSI escapes, and how wide the terminal is.
 *
 * @param interactive true when the process talks to a terminal that understands ANSI escapes
 * @param columns     terminal width in characters; {@value #DEFAULT_COLUMNS} when unknown
 */
public record TerminalInfo(boolean interactive, int columns) {
    /** Width assumed when the terminal does not tell: 80 columns. */
    public static final int DEFAULT_COLUMNS = 80;
    /** Not a terminal: plain line output. */
    public static final TerminalInfo NONE = new TerminalInfo(false, DEFAULT_COLUMNS);

    /**
     * Looks at this process: a console must be attached ({@link System#console()}; on JDK 22+ also
     * {@code Console.isTerminal()}, since there a console exists even when redirected), and
     * {@code TERM} must not be {@code dumb}. The width comes from {@code COLUMNS}, else {@code stty size}.
     */
    public static TerminalInfo detect() {
        Map<String, String> env = System.getenv();
        if (!consoleIsTerminal() || "dumb".equals(env.get("TERM"))) {
            return NONE;
        }
        return new TerminalInfo(true, columns(env));
    }

    private static boolean consoleIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK < 22: a non-null console is a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    private static int columns(Map<String, String> env) {
        try {
            int fromEnv = Integer.parseInt(env.getOrDefault("COLUMNS", "").trim());
            if (fromEnv > 0) {
                return fromEnv;
            }
        } catch (NumberFormatException e) {
            // fall through to stty
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (stty.waitFor(2, TimeUnit.SECONDS) && stty.exitValue() == 0) {
                String[] rowsColumns = out.split("\\s+");
                int cols = Integer.parseInt(rowsColumns[rowsColumns.length - 1]);
                if (cols > 0) {
                    return cols;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown width
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_COLUMNS;
    }
}
