package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node hosts lazy mounts (nydusd's shared-daemon mode): {@code damselfly mount REF MNT --via-node --fuse LIBFUSE} asks a real
 * {@code damselfly node} to mount a Nydus image from a real registry, a program from the mount hashes a data file of
 * the image, {@code damselfly umount MNT} has the node unmount it, and stopping the node unmounts what it still owns.
 * Also prints the time until the mount is live with {@code --via-node} and with the mount's own JVM.
 */
class NodeMountEndToEndTest {
    private static final int DATA_BYTES = 12 << 20;

    @TempDir
    Path work;
    private final List<Path> mountpoints = new ArrayList<>();
    private NodeProcess node;
    private Process scheduler;

    @AfterEach
    void cleanUp() throws Exception {
        for (Path mountpoint : mountpoints) {
            if (isMountPoint(mountpoint)) {
                new ProcessBuilder("fusermount", "-u", "-z", mountpoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (node != null) {
            node.close();
        }
        if (scheduler != null) {
            scheduler.destroy();
            scheduler.waitFor(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void nodeMountsAnImageForTheCliUnmountsItOnUmountAndOnStop() throws Exception {
        NydusImagePush.ToolsImage image = NydusImagePush.buildTools(work, 43, DATA_BYTES);
        LayerBuildResult built = image.built();
        String expected = image.dataSha256();

        try (RegistryServer registry = RegistryServer.start();
             RegistryClient client = RegistryClient.create(RegistryClientConfig.builder().build())) {
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/nydus/tools:v1");
            NydusImagePush.push(client, ref, built);
            scheduler = DamselflyProcess.start(work.resolve("scheduler.err"), "scheduler", "--listen", "127.0.0.1:0");
            String line = new BufferedReader(new InputStreamReader(scheduler.getInputStream(), StandardCharsets.UTF_8)).readLine();
            String schedulerAddress = "127.0.0.1:" + line.substring(line.lastIndexOf(':') + 1).trim();
            node = NodeProcess.start(work, "n1", "127.0.0.51", schedulerAddress, List.of(
                    "proxy.registries=[{name: \"" + registry.hostPort() + "\", url: \"" + registry.baseUri() + "\"}]"));
            String admin = "127.0.0.1:" + node.port("admin");

            Path mnt = mountpoint("mnt");
            long started = System.nanoTime();
            DamselflyProcess.Result mounted = DamselflyProcess.run(null, "mount", ref.toString(), mnt.toString(),
                    "--via-node", "--node", admin, "--fuse", "LIBFUSE");
            long viaNodeMillis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(0, mounted.exitCode(), mounted.describe() + "\n" + node.log());
            assertTrue(mounted.stdout().contains(mnt.toString()), mounted.describe());
            assertTrue(isMountPoint(mnt), "the mount is live when the CLI returns");

            Process run = new ProcessBuilder(mnt.resolve("bin/sha256sum").toString(), mnt.resolve("data/big.bin").toString())
                    .redirectErrorStream(true).start();
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(run.waitFor(120, TimeUnit.SECONDS), "sha256sum from the mount finished");
            assertEquals(0, run.exitValue(), out + "\n" + node.log());
            assertEquals(expected, out.split("\\s+")[0], "the program from the node's mount hashed the image's data");

            String list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + admin + "/api/v1/mounts"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(list.contains("\"mountpoint\" : \"" + mnt + "\"") && list.contains(ref.toString()), list);
            assertTrue(list.matches("(?s).*\"peer\" : [1-9].*"), "chunks were read through the node: " + list);
            assertTrue(list.contains("\"fuse\" : \"LIBFUSE\""), "the node mounted with the --fuse the CLI passed on: " + list);

            DamselflyProcess.Result umount = DamselflyProcess.run(null, "umount", mnt.toString(), "--node", admin);
            assertEquals(0, umount.exitCode(), umount.describe());
            assertFalse(isMountPoint(mnt), "umount asked the node, which unmounted");
            String after = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + admin + "/api/v1/mounts"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertEquals("[ ]", after.strip(), "the node no longer lists the mount");

            Path own = mountpoint("own");
            long ownStarted = System.nanoTime();
            Process ownMount = DamselflyProcess.start(work.resolve("own.err"), "mount", ref.toString(), own.toString(),
                    "--node", admin);
            try {
                String ownLine = new BufferedReader(new InputStreamReader(ownMount.getInputStream(), StandardCharsets.UTF_8)).readLine();
                long ownMillis = (System.nanoTime() - ownStarted) / 1_000_000;
                assertTrue(ownLine != null && ownLine.startsWith("mounted "), ownLine + "\n" + Files.readString(work.resolve("own.err")));
                System.out.printf("mount live after: --via-node %d ms, own JVM %d ms (same image, both through the node)%n",
                        viaNodeMillis, ownMillis);
            } finally {
                DamselflyProcess.Result ownUmount = DamselflyProcess.run(null, "umount", own.toString(), "--node", admin);
                assertEquals(0, ownUmount.exitCode(), "a mount the node does not own is unmounted with fusermount: "
                        + ownUmount.describe());
                assertTrue(ownMount.waitFor(20, TimeUnit.SECONDS), "the mount process exits after umount");
            }

            Path again = mountpoint("again");
            long apiStarted = System.nanoTime();
            HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + admin + "/api/v1/mounts")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"image\": \"" + ref + "\", \"mountpoint\": \"" + again + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            long apiMillis = (System.nanoTime() - apiStarted) / 1_000_000;
            assertEquals(201, posted.statusCode(), posted.body());
            System.out.printf("mount live after: POST /api/v1/mounts alone (no JVM start) %d ms%n", apiMillis);
            assertTrue(isMountPoint(again));
            node.close();
            assertFalse(node.alive());
            assertFalse(isMountPoint(again), "stopping the node unmounted the mount it owned\n" + node.log());
        }
    }

    private Path mountpoint(String name) throws Exception {
        Path mp = Files.createDirectories(work.resolve(name)).toAbsolutePath();
        mountpoints.add(mp);
        return mp;
    }

    /** Whether {@code dir} is a mount point now ({@code /proc/self/mountinfo}, field 5). */
    private static boolean isMountPoint(Path dir) throws Exception {
        String want = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(want)) {
                return true;
            }
        }
        return false;
    }
}
