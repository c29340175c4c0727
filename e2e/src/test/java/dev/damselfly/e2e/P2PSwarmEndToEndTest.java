package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.accesslog.AccessLogEntry;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's proof with real processes on loopback: a docker-registry, a standalone scheduler and several
 * {@code damselfly node}s, each on its own 127.0.0.N address. Blobs are pulled through each node's registry mirror
 * (as containerd would); the registry's access log says how many blob bytes left the origin.
 */
class P2PSwarmEndToEndTest {
    private static final long MIB = 1L << 20;
    private static final String REPO = "swarm/blob";

    @TempDir
    Path work;
    private RegistryServer registry;
    private Process scheduler;
    private String schedulerAddress;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void startRegistryAndScheduler() throws Exception {
        registry = RegistryServer.start();
        Path err = work.resolve("scheduler.err");
        scheduler = DamselflyProcess.start(err, "scheduler", "--listen", "127.0.0.1:0");
        String line = new BufferedReader(new InputStreamReader(scheduler.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.startsWith("listening on 127.0.0.1:"), line + "\n" + Files.readString(err));
        schedulerAddress = "127.0.0.1:" + line.substring(line.lastIndexOf(':') + 1).trim();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (NodeProcess node : nodes) {
            node.close();
        }
        scheduler.destroy();
        scheduler.waitFor(15, TimeUnit.SECONDS);
        registry.close();
    }

    @Test
    void fourNodesDownloadOneBlobAndTheRegistryServesItAboutOnce() throws Exception {
        long size = 256 * MIB;
        String digest = push(11, size);
        for (int i = 1; i <= 4; i++) {
            nodes.add(node("node" + i, "127.0.0." + (10 + i), List.of()));
        }
        AccessLog.Mark before = registry.accessLog().mark();
        CompletableFuture<String> first = pullAsync(nodes.get(0), digest);
        waitForProgress(nodes.get(0), 16 * MIB);
        List<CompletableFuture<String>> others = new ArrayList<>();
        for (int i = 1; i < 4; i++) {
            others.add(pullAsync(nodes.get(i), digest));
        }
        assertEquals(digest, first.get(5, TimeUnit.MINUTES), "node1's bytes");
        for (int i = 0; i < others.size(); i++) {
            assertEquals(digest, others.get(i).get(5, TimeUnit.MINUTES), "node" + (i + 2) + "'s bytes");
        }
        registry.accessLog().sync();
        long served = registry.accessLog().since(before).bytesServed(AccessLogEntry::isBlobGet);
        assertTrue(served <= size * 11 / 10, "the registry served " + served + " blob bytes for 4 pulls of a "
                + size + "-byte blob (limit 1.1×)\n" + logs());
        long fromPeers = 0;
        for (NodeProcess node : nodes) {
            fromPeers += traffic(node, "REMOTE_PEER");
        }
        assertTrue(fromPeers >= 2 * size, "peers served only " + fromPeers + " bytes");
        System.out.printf("swarm: 4 nodes x %d MiB: registry served %.3fx the blob, peers %.2fx%n",
                size / MIB, (double) served / size, (double) fromPeers / size);

        // Range GETs as nydusd sends them, across piece boundaries: from a node holding the blob, and from a new node
        // that fetches only the covering pieces (both answered with file regions sliced at the range's ends)
        long[][] ranges = {{4 * MIB - 5, 8 * MIB + 9}, {size - 3, size - 1}, {0, 0}};
        nodes.add(node("node5", "127.0.0.15", List.of()));
        for (NodeProcess node : List.of(nodes.get(3), nodes.get(4))) {
            for (long[] r : ranges) {
                assertArrayEquals(expected(11, size, r[0], r[1]), pullRange(node, digest, r[0], r[1]),
                        node.name() + " bytes=" + r[0] + "-" + r[1]);
            }
        }
        // the ranges cover pieces 0, 1, 2 and 63 (4 MiB pieces: Dragonfly's length for 256 MiB): each fetched once
        assertEquals(4 * 4 * MIB, traffic(nodes.get(4), "REMOTE_PEER") + traffic(nodes.get(4), "BACK_TO_SOURCE"),
                "node5 fetched exactly the pieces covering its ranges\n" + logs());
    }

    /** Bytes {@code [from, to]} of the deterministic blob. */
    private static byte[] expected(long seed, long size, long from, long to) throws IOException {
        try (InputStream in = new DeterministicBytes(seed, size)) {
            in.skipNBytes(from);
            return in.readNBytes((int) (to - from + 1));
        }
    }

    /** A Range GET through the node's mirror; the 206 body. */
    private byte[] pullRange(NodeProcess node, String digest, long from, long to) throws Exception {
        URI uri = URI.create("http://" + node.ip() + ":" + node.port("proxy") + "/v2/" + REPO + "/blobs/" + digest
                + "?ns=" + registry.hostPort());
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).header("Range", "bytes=" + from + "-" + to)
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, response.statusCode(), node.name() + ": " + new String(response.body(), StandardCharsets.UTF_8));
        return response.body();
    }

    @Test
    void aParentKilledMidTransferDoesNotStopItsChildren() throws Exception {
        long size = 96 * MIB;
        String digest = push(12, size);
        NodeProcess seed = node("seed", "127.0.0.21", List.of("upload.rateLimit=24MiB"));
        nodes.add(seed);
        assertEquals(digest, pull(seed, digest), "the seed's own bytes");
        List<CompletableFuture<String>> children = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            NodeProcess child = node("child" + i, "127.0.0." + (21 + i), List.of());
            nodes.add(child);
            children.add(pullAsync(child, digest));
        }
        waitForProgress(nodes.get(1), 8 * MIB);
        seed.kill();
        for (int i = 0; i < children.size(); i++) {
            assertEquals(digest, children.get(i).get(5, TimeUnit.MINUTES), "child" + (i + 1) + "'s bytes after the seed died");
        }
    }

    @Test
    void aNodeThatCorruptsUploadsIsDetectedAndAvoided() throws Exception {
        long size = 64 * MIB;
        String digest = push(13, size);
        NodeProcess liar = node("liar", "127.0.0.31", List.of("upload.testCorruptRatio=1.0"));
        nodes.add(liar);
        assertEquals(digest, pull(liar, digest), "the faulty node stores correct bytes itself");
        for (int i = 1; i <= 2; i++) {
            NodeProcess honest = node("honest" + i, "127.0.0." + (31 + i), List.of());
            nodes.add(honest);
            assertEquals(digest, pull(honest, digest), "honest" + i + " never returns a corrupt byte");
        }
        String liarHost = "127.0.0.31-liar";
        JsonNode peers = new ObjectMapper().readTree(admin(nodes.get(1), "/api/v1/peers"));
        assertTrue(peers.get("avoidedParentHosts").toString().contains(liarHost),
                "honest1 avoids the node that sent it corrupt pieces: " + peers + "\n" + nodes.get(1).log());
    }

    private NodeProcess node(String name, String ip, List<String> extra) throws Exception {
        List<String> sets = new ArrayList<>(List.of(
                "proxy.registries=[{name: \"" + registry.hostPort() + "\", url: \"" + registry.baseUri() + "\"}]",
                "proxy.defaultRegistry=" + registry.hostPort()));
        sets.addAll(extra);
        return NodeProcess.start(work, name, ip, schedulerAddress, sets);
    }

    private String push(long seed, long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DeterministicBytes(seed, size)) {
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
            }
        }
        Digest digest = Digest.of("sha256", sha.digest());
        try (RegistryClient client = RegistryClient.create(RegistryClientConfig.builder().build());
             InputStream in = new DeterministicBytes(seed, size)) {
            client.pushBlob(ImageReference.parse(registry.hostPort() + "/" + REPO + ":latest"), digest, size, in, n -> { });
        }
        return digest.toString();
    }

    private CompletableFuture<String> pullAsync(NodeProcess node, String digest) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return pull(node, digest);
            } catch (Exception e) {
                throw new IllegalStateException("pull through " + node.name() + " failed: " + e, e);
            }
        });
    }

    /** GETs the blob through the node's mirror (containerd's way: ns= names the registry); returns its sha256 digest. */
    private String pull(NodeProcess node, String digest) throws Exception {
        URI uri = URI.create("http://" + node.ip() + ":" + node.port("proxy") + "/v2/" + REPO + "/blobs/" + digest
                + "?ns=" + registry.hostPort());
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(node.name() + " answered " + response.statusCode() + ": "
                        + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private void waitForProgress(NodeProcess node, long bytes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long stored = 0;
        while (System.nanoTime() < deadline) {
            stored = new ObjectMapper().readTree(admin(node, "/api/v1/status")).get("storedBytes").asLong();
            if (stored >= bytes) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(node.name() + " stored only " + stored + " bytes in 60 s\n" + node.log());
    }

    private String admin(NodeProcess node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("admin") + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private long traffic(NodeProcess node, String type) throws Exception {
        return (long) metric(node, "dragonfly_client_download_traffic{type=\"" + type + "\"}");
    }

    private double metric(NodeProcess node, String series) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://" + node.ip() + ":" + node.port("metrics") + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    private String logs() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (NodeProcess node : nodes) {
            String log = node.log();
            sb.append("--- ").append(node.name()).append(" (last lines)\n")
                    .append(log.length() > 3000 ? log.substring(log.length() - 3000) : log).append('\n');
        }
        return sb.toString();
    }
}
