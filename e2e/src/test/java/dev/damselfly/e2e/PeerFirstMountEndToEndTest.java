package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes, each with a lazy mount of the same Nydus image reading chunks through its own node: both run a program
 * from the image over a data file, and the registry serves the image's blob bytes they read once, not twice — the
 * second node gets them from the first.
 */
class PeerFirstMountEndToEndTest {
    private static final int DATA_BYTES = 24 << 20;

    @TempDir
    Path work;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<Process> mounts = new ArrayList<>();
    private final List<Path> mountpoints = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Path mountpoint : mountpoints) {
            new ProcessBuilder("fusermount", "-u", "-z", mountpoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
        for (Process mount : mounts) {
            mount.destroy();
            mount.waitFor(15, TimeUnit.SECONDS);
        }
        for (NodeProcess node : nodes) {
            node.close();
        }
    }

    @Test
    void twoNodesRunAProgramFromOneImageAndTheRegistryServesItsChunksOnce() throws Exception {
        NydusImagePush.ToolsImage image = NydusImagePush.buildTools(work, 41, DATA_BYTES);
        LayerBuildResult built = image.built();
        String expected = image.dataSha256();

        try (RegistryServer registry = RegistryServer.start();
             RegistryClient client = RegistryClient.create(RegistryClientConfig.builder().build())) {
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/nydus/tools:v1");
            NydusImagePush.push(client, ref, built);
            Process scheduler = DamselflyProcess.start(work.resolve("scheduler.err"), "scheduler", "--listen", "127.0.0.1:0");
            try {
                String line = new BufferedReader(new InputStreamReader(scheduler.getInputStream(), StandardCharsets.UTF_8)).readLine();
                String schedulerAddress = "127.0.0.1:" + line.substring(line.lastIndexOf(':') + 1).trim();
                List<String> sets = List.of(
                        "proxy.registries=[{name: \"" + registry.hostPort() + "\", url: \"" + registry.baseUri() + "\"}]",
                        "proxy.defaultRegistry=" + registry.hostPort());
                nodes.add(NodeProcess.start(work, "m1", "127.0.0.41", schedulerAddress, sets));
                nodes.add(NodeProcess.start(work, "m2", "127.0.0.42", schedulerAddress, sets));

                AccessLog.Mark start = registry.accessLog().mark();
                String first = runFromMount(nodes.get(0), ref, "mnt1");
                assertEquals(expected, first, "node m1's mount runs sha256sum from the image over its data");
                registry.accessLog().awaitSettled(Duration.ofMillis(300), Duration.ofSeconds(5));
                long afterFirst = registry.accessLog().since(start).bytesServed(e -> e.isBlobGet() && e.path().endsWith(built.blobId()));
                assertTrue(afterFirst > 0, "the first mount's chunks came from the registry");

                String second = runFromMount(nodes.get(1), ref, "mnt2");
                assertEquals(expected, second, "node m2's mount runs the same program over the same data");
                registry.accessLog().awaitSettled(Duration.ofMillis(300), Duration.ofSeconds(5));
                long afterSecond = registry.accessLog().since(start).bytesServed(e -> e.isBlobGet() && e.path().endsWith(built.blobId()));
                assertTrue(afterSecond - afterFirst <= afterFirst / 20, "the second node's mount read its chunks from its peer: "
                        + "registry blob bytes " + afterFirst + " after the first mount, " + afterSecond + " after both\n"
                        + nodes.get(1).log());
                assertTrue(afterFirst <= built.blobSize() * 11 / 10, "the registry served " + afterFirst
                        + " bytes of a " + built.blobSize() + "-byte blob");
                System.out.printf("peer-first mounts: registry served %d blob bytes for the first mount, %d more for the second%n",
                        afterFirst, afterSecond - afterFirst);
            } finally {
                scheduler.destroy();
                scheduler.waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    /** Mounts the image through the node, runs {@code bin/sha256sum data/big.bin} from the mount, returns the hash. */
    private String runFromMount(NodeProcess node, ImageReference ref, String name) throws Exception {
        Path mountpoint = Files.createDirectories(work.resolve(name));
        mountpoints.add(mountpoint);
        Path stderr = work.resolve(name + ".err");
        int metricsPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            metricsPort = probe.getLocalPort();
        }
        Process mount = DamselflyProcess.start(stderr, "mount", "--node", "127.0.0.1:" + node.port("admin"),
                "--metrics-listen", "127.0.0.1:" + metricsPort,
                "--cache-dir", work.resolve(name + "-cache").toString(), ref.toString(), mountpoint.toString());
        mounts.add(mount);
        String line = new BufferedReader(new InputStreamReader(mount.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.startsWith("mounted "), line + "\n" + Files.readString(stderr));
        assertTrue(Files.readString(stderr).contains("through the node"), Files.readString(stderr));
        Process run = new ProcessBuilder(mountpoint.resolve("bin/sha256sum").toString(), mountpoint.resolve("data/big.bin").toString())
                .redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(120, TimeUnit.SECONDS), "sha256sum from the mount finished");
        assertEquals(0, run.exitValue(), out + "\n" + Files.readString(stderr));
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.matches("(?s).*damselfly_mount_chunk_fetch_bytes_total\\{source=\"peer\"} [1-9].*"),
                "the mount fetched its chunks through the node (source=peer):\n" + metrics);
        assertTrue(metrics.contains("damselfly_mount_read_latency_seconds_bucket"), "read latency histogram exported");
        String trace = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + metricsPort + "/access-trace")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(trace.contains("/bin/sha256sum\n") && trace.contains("/data/big.bin\n")
                && trace.indexOf("/bin/sha256sum") < trace.indexOf("/data/big.bin"),
                "the access trace lists the program, then its input, in first-read order:\n" + trace);
        return out.split("\\s+")[0];
    }
}
