package dev.damselfly.peer.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One run of the CLI in-process with captured stdout/stderr, a chosen terminal and a fake clock that
 * advances {@value #TICK_NANOS} ns per reading.
 */
public record CliRun(int exitCode, String out, String err, byte[] outBytes) {
    /** Fake clock step per reading: 1 ms. */
    public static final long TICK_NANOS = 1_000_000L;

    public static CliRun run(String... args) {
        return run(TerminalInfo.NONE, args);
    }

    public static CliRun run(TerminalInfo terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        CliEnvironment environment = new CliEnvironment(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), terminal, () -> clock.addAndGet(TICK_NANOS));
        int code = Main.execute(environment, args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), out.toByteArray());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
