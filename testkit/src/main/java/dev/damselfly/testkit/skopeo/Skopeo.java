package dev.damselfly.testkit.skopeo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.testkit.image.TestImage;
import dev.damselfly.testkit.registry.Credentials;
import dev.damselfly.testkit.support.TempDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A thin wrapper over the {@code skopeo} binary for plain-HTTP loopback registries
 * ({@code --tls-verify=false}, {@code --insecure-policy}).
 */
public final class Skopeo {

    /** Default binary: {@value}. */
    public static final String DEFAULT_BINARY = "/usr/bin/skopeo";
    /** Default timeout of one skopeo run: 120 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path binary;
    private final Duration timeout;

    private Skopeo(Path binary, Duration timeout) {
        this.binary = binary;
        this.timeout = timeout;
    }

    /** @return skopeo at {@value #DEFAULT_BINARY} with a 120 s timeout */
    public static Skopeo create() {
        return new Skopeo(Paths.get(DEFAULT_BINARY), DEFAULT_TIMEOUT);
    }

    /**
     * @param timeout per-run timeout
     * @return a copy with that timeout
     */
    public Skopeo withTimeout(Duration timeout) {
        return new Skopeo(binary, timeout);
    }

    /**
     * Pushes a generated layout: {@code skopeo copy [--all] oci:LAYOUT:TAG docker://HOSTPORT/REPO:TAG}.
     * Multi-platform images are copied with {@code --all} (index and every platform).
     *
     * @param image       the layout to push
     * @param hostPort    registry {@code 127.0.0.1:PORT}
     * @param repository  e.g. {@code test/image}
     * @param tag         destination tag
     * @param credentials for the registry or its token server, or {@code null}
     * @return skopeo's output
     */
    public String push(TestImage image, String hostPort, String repository, String tag, Credentials credentials) {
        List<String> args = new ArrayList<>(List.of("copy", "--insecure-policy", "--retry-times", "0", "--dest-tls-verify=false"));
        if (image.indexDigest() != null) {
            args.add("--all");
        }
        if (credentials != null) {
            args.add("--dest-creds");
            args.add(credentials.colonSeparated());
        }
        args.add("oci:" + image.layoutDir() + ":" + image.tag());
        args.add("docker://" + hostPort + "/" + repository + ":" + tag);
        return run(args);
    }

    /**
     * {@code skopeo inspect [--raw] docker://REF}.
     *
     * @param reference   e.g. {@code 127.0.0.1:5000/test/image:latest}
     * @param raw         true for the stored manifest/index bytes, false for skopeo's summary
     *                    (Digest, Layers, Architecture, Os, ...)
     * @param credentials or {@code null}
     * @return the JSON output
     */
    public JsonNode inspect(String reference, boolean raw, Credentials credentials) {
        List<String> args = new ArrayList<>(List.of("inspect", "--retry-times", "0", "--tls-verify=false"));
        if (raw) {
            args.add("--raw");
        }
        if (credentials != null) {
            args.add("--creds");
            args.add(credentials.colonSeparated());
        }
        args.add("docker://" + reference);
        String out = run(args);
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new SkopeoException(args, 0, out, e);
        }
    }

    /**
     * Runs skopeo with arbitrary arguments in a fresh HOME.
     *
     * @param args arguments after {@code skopeo}
     * @return stdout
     * @throws SkopeoException on a non-zero exit, a timeout or a missing binary
     */
    public String run(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(args);
        List<String> shown = mask(command);
        if (!Files.isExecutable(binary)) {
            throw new SkopeoException(shown, -1, "skopeo not found at " + binary
                    + "; run scripts/test (it installs the Debian package skopeo)", null);
        }
        Path home = TempDirs.create("damselfly-skopeo-home-");
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().put("HOME", home.toString());
            pb.environment().put("XDG_RUNTIME_DIR", home.toString());
            pb.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
            pb.environment().put("XDG_DATA_HOME", home.resolve(".local/share").toString());
            pb.environment().put("TMPDIR", Files.createDirectories(home.resolve("tmp")).toString());
            pb.environment().remove("REGISTRY_AUTH_FILE");
            pb.environment().remove("DOCKER_CONFIG");
            Path stderr = home.resolve("stderr.txt");
            pb.redirectError(stderr.toFile());
            Process process = pb.start();
            process.getOutputStream().close();
            byte[] stdout;
            boolean finished;
            try {
                var reader = new java.util.concurrent.CompletableFuture<byte[]>();
                Thread t = new Thread(() -> {
                    try {
                        reader.complete(process.getInputStream().readAllBytes());
                    } catch (IOException e) {
                        reader.completeExceptionally(e);
                    }
                }, "damselfly-skopeo-stdout");
                t.setDaemon(true);
                t.start();
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    throw new SkopeoException(shown, -1, "timed out after " + timeout.toMillis() + " ms\n"
                            + Files.readString(stderr, StandardCharsets.UTF_8), null);
                }
                stdout = reader.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new SkopeoException(shown, -1, "interrupted", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new SkopeoException(shown, -1, "cannot read output", e);
            }
            String out = new String(stdout, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new SkopeoException(shown, process.exitValue(), out + Files.readString(stderr, StandardCharsets.UTF_8), null);
            }
            return out;
        } catch (IOException e) {
            throw new SkopeoException(shown, -1, "cannot run skopeo", e);
        } finally {
            TempDirs.deleteRecursively(home);
        }
    }

    private static List<String> mask(List<String> command) {
        List<String> shown = new ArrayList<>(command);
        for (int i = 1; i < shown.size(); i++) {
            if (shown.get(i - 1).endsWith("creds")) {
                String c = shown.get(i);
                shown.set(i, c.substring(0, Math.max(0, c.indexOf(':'))) + ":***");
            }
        }
        return shown;
    }
}
