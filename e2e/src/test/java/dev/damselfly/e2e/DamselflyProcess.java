package dev.damselfly.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the {@code damselfly} fat jar as a real process and captures what it prints. */
final class DamselflyProcess {
    /** Default limit for one command: 5 minutes. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private DamselflyProcess() {
    }

    /** The result of one run. */
    record Result(int exitCode, String stdout, String stderr) {
        String describe() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    static Path jar() {
        String configured = System.getProperty("damselfly.jar");
        if (configured == null || !Files.isRegularFile(Path.of(configured))) {
            throw new IllegalStateException("damselfly.jar not built at " + configured + " (run mvn verify from the root)");
        }
        return Path.of(configured);
    }

    /** Starts {@code damselfly ARGS} in the background; stdout is piped for the caller to read, stderr to a file. */
    static Process start(Path stderr, String... args) throws IOException {
        return start(stderr, List.of(), args);
    }

    /** As {@link #start(Path, String...)}, with JVM options before {@code -jar} (e.g. {@code -Djava.io.tmpdir=DIR}). */
    static Process start(Path stderr, List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    /** Runs {@code damselfly ARGS} with the given maximum heap (e.g. "64m"; null for the default). */
    static Result run(String maxHeap, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (maxHeap != null) {
            command.add("-Xmx" + maxHeap);
        }
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("damselfly-out", ".txt");
        Path err = Files.createTempFile("damselfly-err", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("damselfly " + String.join(" ", args) + " did not finish in " + DEFAULT_TIMEOUT
                        + "\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
