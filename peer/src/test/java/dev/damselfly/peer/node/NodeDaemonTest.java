package dev.damselfly.peer.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.damselfly.peer.node.config.NodeConfig;
import dev.damselfly.peer.node.config.NodeConfigLoader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole node in process on loopback: its endpoints answer, and a download through it is byte-exact and cached. */
class NodeDaemonTest {
    @TempDir
    Path dir;
    private HttpServer origin;
    private final AtomicLong originBytes = new AtomicLong();
    private byte[] content;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startOrigin() throws Exception {
        content = new byte[9 * 1024 * 1024 + 123];
        new Random(7).nextBytes(content);
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        origin.createContext("/file.bin", exchange -> {
            String range = exchange.getRequestHeaders().getFirst("Range");
            long start = 0;
            long end = content.length - 1;
            if (range != null && range.startsWith("bytes=")) {
                String[] parts = range.substring(6).split("-");
                start = Long.parseLong(parts[0]);
                end = parts.length > 1 && !parts[1].isEmpty() ? Math.min(end, Long.parseLong(parts[1])) : end;
                exchange.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + content.length);
                exchange.sendResponseHeaders(206, end - start + 1);
            } else {
                exchange.sendResponseHeaders(200, content.length);
            }
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(content, (int) start, (int) (end - start + 1));
            }
            originBytes.addAndGet(end - start + 1);
        });
        origin.start();
    }

    @AfterEach
    void stopOrigin() {
        origin.stop(0);
    }

    private String fileUrl() {
        return "http://127.0.0.1:" + origin.getAddress().getPort() + "/file.bin";
    }

    private String contentDigest() throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /** {@code damselfly get} of the origin's file with its digest through the node at {@code admin} into {@code out}. */
    private dev.damselfly.peer.cli.CliRun get(String admin, Path out, String... more) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("get", fileUrl(), "-O", out.toString(),
                "--node", admin, "--digest", contentDigest()));
        args.addAll(java.util.List.of(more));
        return dev.damselfly.peer.cli.CliRun.run(args.toArray(String[]::new));
    }

    @Test
    void servesHealthMetricsAdminAndDownloads() throws Exception {
        try (NodeDaemon node = NodeDaemon.start(loopbackConfig("node-test"))) {
            assertEquals(200, get(node, "health", "/healthy").statusCode());
            assertEquals(404, get(node, "health", "/other").statusCode());

            String url = fileUrl();
            String digest = contentDigest();
            String query = "/api/v1/download?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8) + "&digest=" + digest;
            HttpResponse<byte[]> first = getBytes(node, "admin", query);
            assertEquals(200, first.statusCode(), () -> new String(first.body(), StandardCharsets.UTF_8));
            assertArrayEquals(content, first.body());
            assertTrue(first.headers().firstValue("X-Dragonfly-Task-ID").orElse("").matches("[0-9a-f]{64}"));
            long fromOrigin = originBytes.get();
            assertTrue(fromOrigin >= content.length && fromOrigin <= content.length + 64 * 1024,
                    "origin served " + fromOrigin + " bytes for a " + content.length + "-byte file");

            HttpResponse<byte[]> second = getBytes(node, "admin", query);
            assertArrayEquals(content, second.body());
            assertEquals(fromOrigin, originBytes.get(), "the second download comes from the node's store");

            String wrongDigest = "sha256:" + "0".repeat(64);
            String wrongQuery = "/api/v1/download?url=" + URLEncoder.encode(url + "?copy=2", StandardCharsets.UTF_8)
                    + "&digest=" + wrongDigest;
            org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> getBytes(node, "admin", wrongQuery),
                    "a content that does not match the digest never arrives complete");

            HttpResponse<String> bad = get(node, "admin", "/api/v1/download?url=ftp://x/y");
            assertEquals(400, bad.statusCode(), bad.body());

            JsonNode status = new ObjectMapper().readTree(get(node, "admin", "/api/v1/status").body());
            assertEquals("127.0.0.1-node-test", status.get("hostId").asText());
            assertTrue(status.get("embeddedScheduler").asBoolean());
            assertEquals(64L << 20, status.get("mirrorWarmUpBytes").asLong(), "the start-up fetch through the mirror path");
            assertTrue(java.nio.file.Files.notExists(dir.resolve("data/mirror-warm-up")), "its scratch store is gone");
            JsonNode tasks = new ObjectMapper().readTree(get(node, "admin", "/api/v1/tasks").body());
            assertEquals(1, tasks.size());
            assertTrue(tasks.get(0).get("complete").asBoolean());

            String metrics = get(node, "metrics", "/metrics").body();
            assertTrue(metrics.contains("dragonfly_client_version{"), metrics);
            assertTrue(metrics.matches("(?s).*dragonfly_client_download_traffic\\{type=\"BACK_TO_SOURCE\"} [1-9].*"),
                    "back-to-source traffic is counted");
            assertTrue(metrics.contains("damselfly_piecestore_stored_bytes"), "piece-store meters are exposed");
        }
    }

    @Test
    void getNeverLinksACopyCorruptedOnDiskAndFetchesTheBadPieceAgain() throws Exception {
        try (NodeDaemon node = NodeDaemon.start(loopbackConfig("node-corrupt"))) {
            String admin = "127.0.0.1:" + node.ports().get("admin");
            Path first = dir.resolve("first.bin");
            dev.damselfly.peer.cli.CliRun run = get(admin, first);
            assertEquals(0, run.exitCode(), run.toString());
            long fromOrigin = originBytes.get();
            // first.bin is a second name of the node's content file: flip a byte of piece 1 behind the node's back
            int at = 5 * 1024 * 1024;
            try (var ch = java.nio.channels.FileChannel.open(first, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) ~content[at]}), at);
            }

            Path second = dir.resolve("second.bin");
            run = get(admin, second);
            assertTrue(run.exitCode() != 0, "the node found the corrupt piece and refused: " + run);
            assertTrue(java.nio.file.Files.notExists(second), run.toString());

            Path third = dir.resolve("third.bin");
            run = get(admin, third);
            assertEquals(0, run.exitCode(), run.toString());
            assertArrayEquals(content, java.nio.file.Files.readAllBytes(third));
            assertEquals(4L * 1024 * 1024, originBytes.get() - fromOrigin, "only the dropped piece came again");
        }
    }

    @Test
    void getLinksTheNodesCheckedCopyOrCopiesWhenAskedTo() throws Exception {
        try (NodeDaemon node = NodeDaemon.start(loopbackConfig("node-link"))) {
            String admin = "127.0.0.1:" + node.ports().get("admin");
            Path linked = dir.resolve("linked.bin");
            dev.damselfly.peer.cli.CliRun run = get(admin, linked);
            assertEquals(0, run.exitCode(), run.toString());
            assertTrue(run.out().contains("linked to the node's copy"), run.toString());
            assertArrayEquals(content, java.nio.file.Files.readAllBytes(linked));
            assertEquals(2, ((Number) java.nio.file.Files.getAttribute(linked, "unix:nlink")).intValue(),
                    "the output is a second name of the node's content file");
            long fromOrigin = originBytes.get();

            Path copied = dir.resolve("copied.bin");
            run = get(admin, copied, "--no-link");
            assertEquals(0, run.exitCode(), run.toString());
            assertArrayEquals(content, java.nio.file.Files.readAllBytes(copied));
            assertEquals(1, ((Number) java.nio.file.Files.getAttribute(copied, "unix:nlink")).intValue());
            assertEquals(fromOrigin, originBytes.get(), "the copy came from the node's store");

            // a wrong digest: the node refuses to name its file, and nothing is written
            Path wrong = dir.resolve("wrong.bin");
            run = dev.damselfly.peer.cli.CliRun.run("get", fileUrl() + "?copy=3", "-O", wrong.toString(), "--node", admin,
                    "--digest", "sha256:" + "0".repeat(64));
            assertTrue(run.exitCode() != 0, run.toString());
            assertTrue(run.err().contains("failed"), run.toString());
            assertTrue(java.nio.file.Files.notExists(wrong) && java.nio.file.Files.notExists(dir.resolve("wrong.bin.part")));
        }
    }

    /** A node on loopback with every port ephemeral and the embedded scheduler. */
    private NodeConfig loopbackConfig(String hostname) {
        return NodeConfigLoader.load(Optional.empty(), List.of(
                "dataDir=" + dir.resolve("data"), "host.ip=127.0.0.1", "host.hostname=" + hostname,
                "upload.listen=127.0.0.1", "upload.grpcPort=0", "upload.vortexPort=0",
                "scheduler.embeddedListen=127.0.0.1:0", "proxy.listen=127.0.0.1", "proxy.port=0",
                "metrics.listen=127.0.0.1", "metrics.port=0", "health.listen=127.0.0.1", "health.port=0",
                "admin.port=0"));
    }

    private HttpResponse<String> get(NodeDaemon node, String endpoint, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(node, endpoint, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> getBytes(NodeDaemon node, String endpoint, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(node, endpoint, path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static URI uri(NodeDaemon node, String endpoint, String path) {
        return URI.create("http://127.0.0.1:" + node.ports().get(endpoint) + path);
    }
}
