package dev.damselfly.peer.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * What a command may touch of the process: its output streams, the terminal, and a clock. Commands
 * take it in their constructor (see {@link CommandFactory}), so tests run them with captured
 * streams, a fake terminal and a fake clock.
 *
 * @param out       standard output: results (summaries, JSON, raw manifests)
 * @param err       standard error: progress, errors, logs
 * @param terminal  whether {@code err} is an interactive terminal, and its width
 * @param nanoClock monotonic time in nanoseconds (like {@link System#nanoTime()})
 */
public record CliEnvironment(PrintStream out, PrintStream err, TerminalInfo terminal, LongSupplier nanoClock) {

    /** This process: {@code System.out}/{@code System.err} (UTF-8), the detected terminal, the system clock. */
    public static CliEnvironment system() {
        return new CliEnvironment(new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8), TerminalInfo.detect(), System::nanoTime);
    }
}
