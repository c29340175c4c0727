package dev.damselfly.testkit.debian;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one external command with a time limit, its output in a temporary file; package-private plumbing. */
final class Commands {

    /** Output lines kept for an error message: 40. */
    static final int TAIL_LINES = 40;

    /**
     * The outcome of one run.
     *
     * @param exitCode exit code, -1 when it was killed at the time limit
     * @param stdout   standard output (whole)
     * @param stderr   standard error (whole)
     */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** @return the last {@link #TAIL_LINES} lines of stdout followed by stderr */
        String tail() {
            return Commands.tail(stdout + (stdout.isEmpty() || stdout.endsWith("\n") ? "" : "\n") + stderr, TAIL_LINES);
        }
    }

    private Commands() {
    }

    /**
     * Runs {@code command} (stdin from /dev/null) and waits at most {@code timeout}; a command still running
     * then is killed with its descendants and reported with exit code -1.
     *
     * @throws IOException when the command cannot be started
     */
    static Result run(List<String> command, Path workDir, Duration timeout) throws IOException {
        Path out = Files.createTempFile("damselfly-debian-out-", ".txt");
        Path err = Files.createTempFile("damselfly-debian-err-", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            pb.environment().put("LC_ALL", "C");
            Process process = pb.start();
            int exit;
            try {
                if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    exit = process.exitValue();
                } else {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    exit = -1;
                    Files.writeString(err, "\n<killed after " + timeout.toSeconds() + " s>\n", StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.APPEND);
                }
            } catch (InterruptedException e) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + String.join(" ", command), e);
            }
            return new Result(exit, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** @return the last {@code lines} lines of {@code text} */
    static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - lines - 1);
        return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
    }

    /** @return the last {@code lines} lines of a text file, or "" when it does not exist */
    static String tailOf(Path file, int lines) {
        try {
            return Files.isRegularFile(file) ? tail(Files.readString(file, StandardCharsets.ISO_8859_1), lines) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
