package dev.damselfly.e2e.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short commands ({@code ip}, {@code tc}) to completion and returns their standard output. */
final class Shell {
    /** Longest a single short command may run: 60 s. */
    static final long TIMEOUT_SECONDS = 60;

    private Shell() {
    }

    /** Runs the command; throws {@link LabException} with its output when it exits non-zero. */
    static String run(List<String> command) {
        Result r = tryRun(command);
        if (r.exitCode() != 0) {
            throw new LabException("command failed (exit " + r.exitCode() + "): " + String.join(" ", command)
                    + "\n" + r.stdout() + r.stderr());
        }
        return r.stdout();
    }

    static String run(String... command) {
        return run(List.of(command));
    }

    /** Runs the command and returns whatever happened; never throws for a non-zero exit. */
    static Result tryRun(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return new Result(-1, "", "timed out after " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, "", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted");
        }
    }

    static Result tryRun(String... command) {
        return tryRun(List.of(command));
    }

    /** Exit code and captured output of one command. */
    record Result(int exitCode, String stdout, String stderr) {
    }
}
