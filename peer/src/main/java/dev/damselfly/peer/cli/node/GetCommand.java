package dev.damselfly.peer.cli.node;

import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.units.ByteSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code damselfly get URL -O FILE}: like dfget, downloads a URL through the local node (its store, then its
 * peers, then the origin) into FILE, showing progress on a terminal. The file appears only when complete
 * (written to {@code FILE.part} and renamed); with {@code --digest} its SHA-256 is checked first.
 *
 * <p>When the node runs on this machine (a loopback {@code --node}), the file is by default a hard link to the node's
 * own complete copy, as dfget does with its daemon: the node downloads and checks the content (the SHA-256 with
 * {@code --digest}, every piece's CRC-32 in any case) and names its content file; nothing is copied, so the content
 * is written to disk once. When the link cannot be made (another file system, permissions), or with
 * {@code --no-link}, the content is streamed into the file and hashed here as well.
 */
@Command(name = "get", sortOptions = false,
        description = "Download a URL through the local Damselfly node (peers first, origin last) into a file.")
public final class GetCommand implements Callable<Integer> {
    private static final long FRAME_NANOS = 100_000_000L;
    private final CliEnvironment environment;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "http or https URL to download.")
    private URI url;

    @Option(names = {"-O", "--output"}, paramLabel = "FILE", required = true, description = "Where to write the content.")
    private Path output;

    @Option(names = "--node", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:4004",
            description = "The node's admin address (default ${DEFAULT-VALUE}).")
    private String node;

    @Option(names = "--digest", paramLabel = "sha256:HEX", description = "Expected SHA-256 of the content; checked by the node and here.")
    private String digest;

    @Option(names = "--tag", paramLabel = "TAG", description = "Dragonfly task tag (part of the task id).")
    private String tag;

    @Option(names = "--application", paramLabel = "NAME", description = "Dragonfly application (part of the task id).")
    private String application;

    @Option(names = "--no-link", description = "Always copy the content into FILE, never hard-link the node's copy.")
    private boolean noLink;

    @Option(names = {"-H", "--header"}, paramLabel = "'Authorization: …'",
            description = "Authorization header to send to the origin (the only header passed on).")
    private List<String> headers = List.of();

    public GetCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "URL must be http or https: " + url);
        }
        if (digest != null && !digest.toLowerCase(Locale.ROOT).matches("sha256:[0-9a-f]{64}")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--digest must be sha256:<64 hex digits>");
        }
        StringBuilder target = new StringBuilder("http://").append(node).append("/api/v1/download?url=")
                .append(URLEncoder.encode(url.toString(), StandardCharsets.UTF_8));
        if (digest != null) {
            target.append("&digest=").append(URLEncoder.encode(digest.toLowerCase(Locale.ROOT), StandardCharsets.UTF_8));
        }
        if (tag != null) {
            target.append("&tag=").append(URLEncoder.encode(tag, StandardCharsets.UTF_8));
        }
        if (application != null) {
            target.append("&application=").append(URLEncoder.encode(application, StandardCharsets.UTF_8));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.toString())).GET();
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0 || !header.substring(0, colon).trim().equalsIgnoreCase("Authorization")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "only 'Authorization: …' headers are passed on, got: "
                        + (colon > 0 ? header.substring(0, colon) : header));
            }
            request.header("Authorization", header.substring(colon + 1).trim());
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        if (!noLink && nodeIsLocal()) {
            HttpRequest.Builder linkRequest = HttpRequest.newBuilder(URI.create(target + "&mode=link")).GET();
            request.build().headers().firstValue("Authorization").ifPresent(v -> linkRequest.header("Authorization", v));
            Integer linked = linkNodeCopy(client, linkRequest.build());
            if (linked != null) {
                return linked;
            }
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            environment.err().println("damselfly get: no node answers at " + node + " (start one with `damselfly node`)");
            return 1;
        }
        if (response.statusCode() != 200) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            environment.err().println("damselfly get: the node answered " + response.statusCode() + ": " + body);
            return 1;
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        String taskId = response.headers().firstValue("X-Dragonfly-Task-ID").orElse("?");
        Path part = output.resolveSibling(output.getFileName() + ".part");
        MessageDigest sha = sha256();
        long copied = 0;
        long start = environment.nanoClock().getAsLong();
        long lastFrame = start;
        try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(part)) {
            byte[] buffer = new byte[256 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                sha.update(buffer, 0, n);
                copied += n;
                long now = environment.nanoClock().getAsLong();
                if (environment.terminal().interactive() && now - lastFrame >= FRAME_NANOS) {
                    environment.err().print("\r" + progress(copied, length, now - start));
                    environment.err().flush();
                    lastFrame = now;
                }
            }
        } catch (IOException e) {
            Files.deleteIfExists(part);
            environment.err().println((environment.terminal().interactive() ? "\n" : "") + "damselfly get: download of task "
                    + taskId + " broke off after " + ByteSize.format(copied) + ": " + e.getMessage());
            return 1;
        }
        if (length >= 0 && copied != length) {
            Files.deleteIfExists(part);
            environment.err().println("damselfly get: task " + taskId + " ended after " + copied + " of " + length + " bytes");
            return 1;
        }
        String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
        if (digest != null && !actual.equals(digest.toLowerCase(Locale.ROOT))) {
            Files.deleteIfExists(part);
            environment.err().println("damselfly get: digest mismatch: expected " + digest + ", got " + actual);
            return 1;
        }
        try {
            Files.move(part, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, output, StandardCopyOption.REPLACE_EXISTING);
        }
        long elapsed = environment.nanoClock().getAsLong() - start;
        if (environment.terminal().interactive()) {
            environment.err().print("\r" + progress(copied, length, elapsed) + "\n");
        }
        environment.out().println("saved " + output + " " + ByteSize.format(copied) + " " + actual + " task_id=" + taskId
                + " in " + String.format(Locale.ROOT, "%.1f", elapsed / 1e9) + " s");
        environment.out().flush();
        return 0;
    }

    /** True when {@code --node} names this machine (loopback), where the node's files can be linked. */
    private boolean nodeIsLocal() {
        String host = node.startsWith("[") ? node.substring(1, Math.max(1, node.indexOf(']'))) : node.contains(":")
                ? node.substring(0, node.lastIndexOf(':')) : node;
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /**
     * Asks the node to complete the download and name its content file, and hard-links it as FILE.
     *
     * @return the exit code, or {@code null} to fall back to streaming (the link could not be made)
     */
    private Integer linkNodeCopy(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            environment.err().println("damselfly get: no node answers at " + node + " (start one with `damselfly node`)");
            return 1;
        }
        String taskId = response.headers().firstValue("X-Dragonfly-Task-ID").orElse("?");
        try (java.io.BufferedReader lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                String body = lines.lines().collect(java.util.stream.Collectors.joining(" ")).trim();
                environment.err().println("damselfly get: the node answered " + response.statusCode() + ": " + body);
                return 1;
            }
            long start = environment.nanoClock().getAsLong();
            long lastFrame = start;
            long total = -1;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("progress ")) {
                    String[] f = line.split(" ");
                    long stored = Long.parseLong(f[1]);
                    total = Long.parseLong(f[2]);
                    long now = environment.nanoClock().getAsLong();
                    if (environment.terminal().interactive() && now - lastFrame >= FRAME_NANOS) {
                        environment.err().print("\r" + progress(stored, total, now - start));
                        environment.err().flush();
                        lastFrame = now;
                    }
                } else if (line.startsWith("error ")) {
                    environment.err().println((environment.terminal().interactive() ? "\n" : "")
                            + "damselfly get: task " + taskId + " failed: " + line.substring(6));
                    return 1;
                } else if (line.startsWith("file ")) {
                    Path source = Path.of(line.substring(5));
                    Path part = output.resolveSibling(output.getFileName() + ".part");
                    try {
                        Files.deleteIfExists(part);
                        Files.createLink(part, source);
                    } catch (IOException | UnsupportedOperationException | SecurityException e) {
                        // another file system or no permission: stream the content instead
                        Files.deleteIfExists(part);
                        return null;
                    }
                    long size = Files.size(part);
                    try {
                        Files.move(part, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(part, output, StandardCopyOption.REPLACE_EXISTING);
                    }
                    long elapsed = environment.nanoClock().getAsLong() - start;
                    if (environment.terminal().interactive()) {
                        environment.err().print("\r" + progress(size, size, elapsed) + "\n");
                    }
                    environment.out().println("saved " + output + " " + ByteSize.format(size) + " "
                            + (digest != null ? digest.toLowerCase(Locale.ROOT) + " (checked by the node)" : "(not digest-checked)")
                            + " task_id=" + taskId + " linked to the node's copy in "
                            + String.format(Locale.ROOT, "%.1f", elapsed / 1e9) + " s");
                    environment.out().flush();
                    return 0;
                }
            }
        }
        environment.err().println("damselfly get: the node ended the answer for task " + taskId + " without a result");
        return 1;
    }

    private static String progress(long copied, long length, long elapsedNanos) {
        String rate = ByteSize.formatRate(copied, elapsedNanos / 1e9);
        return length > 0
                ? String.format(Locale.ROOT, "%5.1f%%  %s / %s  %s   ", 100.0 * copied / length, ByteSize.format(copied),
                        ByteSize.format(length), rate)
                : ByteSize.format(copied) + "  " + rate + "   ";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
