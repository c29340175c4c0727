package dev.damselfly.peer.node.mounts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.peer.node.NodeDaemon;
import dev.damselfly.peer.node.config.NodeConfigLoader;
import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.rafs.build.LayerBuilder;
import dev.damselfly.rafsmount.fuse.MountTable;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node in process mounting images through its admin API ({@code /api/v1/mounts}): a local bootstrap and blob
 * directory, and a Nydus image in a real registry read through the node's own engine; listing, unmounting, bad
 * requests, and node shutdown unmounting what it owns. Needs /dev/fuse and root (as every mount test).
 */
class NodeMountsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Path> mountpoints = new ArrayList<>();
    private byte[] data;
    private byte[] small;
    private LayerBuildResult built;
    private Path blobDir;

    @BeforeEach
    void buildImage() throws Exception {
        data = new DeterministicBytes(11, 3 * 1024 * 1024 + 517).readAllBytes();
        small = "hello from a node mount\n".getBytes(StandardCharsets.UTF_8);
        byte[] tar = LayerTarBuilder.create()
                .directory("etc", 0755).file("etc/greeting", 0644, small)
                .directory("data", 0755).file("data/big.bin", 0644, data)
                .toByteArray();
        Path tarFile = Files.write(dir.resolve("layer.tar"), tar);
        built = new LayerBuilder().build(tarFile, dir.resolve("layer.boot"), dir.resolve("layer.blob"));
        blobDir = Files.createDirectories(dir.resolve("blobs"));
        Files.copy(built.blob(), blobDir.resolve(built.blobId()));
    }

    @AfterEach
    void unmountLeftovers() throws Exception {
        for (Path mp : mountpoints) {
            if (MountTable.isMountPoint(mp)) {
                new ProcessBuilder("fusermount", "-u", "-z", mp.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A node whose proxy (and so its mounts' registry reads) knows {@code registry}. */
    private NodeDaemon startNodeFor(RegistryServer registry) {
        return startNode("proxy.registries=[{name: \"" + registry.hostPort() + "\", url: \"" + registry.baseUri() + "\"}]");
    }

    /** A node with loopback listeners on free ports; {@code extra} settings come last and win. */
    private NodeDaemon startNode(String... extra) {
        List<String> sets = new ArrayList<>(List.of(
                "dataDir=" + dir.resolve("data"), "host.ip=127.0.0.1", "host.hostname=mounts-test",
                "upload.listen=127.0.0.1", "upload.grpcPort=0", "upload.vortexPort=0",
                "scheduler.embeddedListen=127.0.0.1:0", "proxy.listen=127.0.0.1", "proxy.port=0",
                "metrics.listen=127.0.0.1", "metrics.port=0", "health.listen=127.0.0.1", "health.port=0",
                "admin.port=0"));
        sets.addAll(List.of(extra));
        return NodeDaemon.start(NodeConfigLoader.load(Optional.empty(), sets));
    }

    private Path mountpoint(String name) throws Exception {
        Path mp = Files.createDirectories(dir.resolve(name)).toAbsolutePath();
        mountpoints.add(mp);
        return mp;
    }

    @Test
    void mountsALocalImageListsItAndUnmountsItOnDelete() throws Exception {
        try (NodeDaemon node = startNode()) {
            Path mp = mountpoint("mnt");
            HttpResponse<String> created = post(node, JSON.writeValueAsString(Map.of(
                    "bootstrap", built.bootstrap().toAbsolutePath().toString(), "blobDir", blobDir.toAbsolutePath().toString(),
                    "mountpoint", mp.toString())));
            assertEquals(201, created.statusCode(), created.body());
            JsonNode view = JSON.readTree(created.body());
            assertEquals(mp.toString(), view.get("mountpoint").asText());
            assertEquals("mounted", view.get("status").asText());
            assertEquals("KERNEL", view.get("fuse").asText(), "AUTO is the kernel transport for a node running as root");
            assertTrue(view.get("id").asText().matches("[0-9a-f]{16}"), view.toString());
            assertTrue(MountTable.isMountPoint(mp), "the mount is live when POST answers");

            assertArrayEquals(small, Files.readAllBytes(mp.resolve("etc/greeting")));
            assertArrayEquals(data, Files.readAllBytes(mp.resolve("data/big.bin")));

            HttpResponse<String> busy = post(node, JSON.writeValueAsString(Map.of(
                    "bootstrap", built.bootstrap().toAbsolutePath().toString(), "blobDir", blobDir.toString(),
                    "mountpoint", mp.toString())));
            assertEquals(409, busy.statusCode(), busy.body());
            assertTrue(busy.body().contains("already mounted"), busy.body());

            JsonNode list = JSON.readTree(get(node, "/api/v1/mounts").body());
            assertEquals(1, list.size(), list.toString());
            JsonNode listed = list.get(0);
            assertEquals(mp.toString(), listed.get("mountpoint").asText());
            assertEquals(built.bootstrap().toAbsolutePath().toString(), listed.get("image").asText());
            assertTrue(listed.get("bytesRead").asLong() >= data.length + small.length, listed.toString());
            assertTrue(listed.get("fetchedBytes").get("file").asLong() > 0, listed.toString());
            assertTrue(listed.get("cacheMisses").asLong() > 0, listed.toString());

            HttpResponse<String> deleted = delete(node, mp.toString());
            assertEquals(200, deleted.statusCode(), deleted.body());
            assertEquals("unmounted", JSON.readTree(deleted.body()).get("status").asText());
            assertFalse(MountTable.isMountPoint(mp), "DELETE unmounted it");
            assertEquals(0, JSON.readTree(get(node, "/api/v1/mounts").body()).size());
            assertEquals(404, delete(node, mp.toString()).statusCode(), "a second DELETE finds nothing");
        }
    }

    @Test
    void refusesBadRequestsAndLeavesNothingMounted() throws Exception {
        try (NodeDaemon node = startNode()) {
            Path mp = mountpoint("mnt");
            String boot = built.bootstrap().toAbsolutePath().toString();
            String blobs = blobDir.toAbsolutePath().toString();
            assertRefused(node, 400, "bad JSON", "{\"mountpoint\": ");
            assertRefused(node, 400, "Unrecognized", "{\"mountpoint\": \"" + mp + "\", \"bootstrap\": \"" + boot
                    + "\", \"blobDir\": \"" + blobs + "\", \"mountPoint\": \"/x\"}");
            assertRefused(node, 400, "exactly one", JSON.writeValueAsString(Map.of("mountpoint", mp.toString())));
            assertRefused(node, 400, "absolute", JSON.writeValueAsString(Map.of("bootstrap", boot, "blobDir", blobs,
                    "mountpoint", "relative/mnt")));
            assertRefused(node, 400, "..", JSON.writeValueAsString(Map.of("bootstrap", boot, "blobDir", blobs,
                    "mountpoint", mp + "/../mnt")));
            assertRefused(node, 400, "MOUNTPOINT_NOT_DIRECTORY", JSON.writeValueAsString(Map.of("bootstrap", boot,
                    "blobDir", blobs, "mountpoint", mp.resolve("missing").toString())));
            Path full = mountpoint("full");
            Files.writeString(full.resolve("something"), "x");
            assertRefused(node, 409, "MOUNTPOINT_NOT_EMPTY", JSON.writeValueAsString(Map.of("bootstrap", boot,
                    "blobDir", blobs, "mountpoint", full.toString())));
            Path notBoot = Files.write(dir.resolve("not.boot"), new byte[8192]);
            assertRefused(node, 422, "NOT_A_BOOTSTRAP", JSON.writeValueAsString(Map.of("bootstrap", notBoot.toString(),
                    "blobDir", blobs, "mountpoint", mp.toString())));
            assertRefused(node, 400, "cacheDir", JSON.writeValueAsString(Map.of("bootstrap", boot, "blobDir", blobs,
                    "mountpoint", mp.toString(), "prefetch", "ALL")));
            HttpResponse<String> text = http.send(HttpRequest.newBuilder(admin(node, "/api/v1/mounts"))
                    .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                            Map.of("bootstrap", boot, "blobDir", blobs, "mountpoint", mp.toString())))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(415, text.statusCode(), "a non-JSON POST (what a web page can send cross-origin) is refused");
            assertEquals(400, delete(node, "relative").statusCode());
            assertFalse(MountTable.isMountPoint(mp), "no refused request left a mount");
            assertEquals(0, JSON.readTree(get(node, "/api/v1/mounts").body()).size());
        }
    }

    /**
     * {@code "fuse"} picks the mount's FUSE transport: libfuse, the kernel protocol, and the kernel protocol over
     * io_uring rings (with the fuse module's {@code enable_uring} on, put back afterwards), each reading every byte; the
     * listing says which one serves the mount and how many requests came through rings.
     */
    @Test
    void mountsWithTheFuseTransportTheRequestNames() throws Exception {
        Path enableUring = Path.of("/sys/module/fuse/parameters/enable_uring");
        assertTrue(Files.isWritable(enableUring), enableUring + " is missing: this kernel has no FUSE over io_uring");
        String enabledBefore = Files.readString(enableUring).trim();
        Files.writeString(enableUring, "1");
        try (NodeDaemon node = startNode()) {
            String boot = built.bootstrap().toAbsolutePath().toString();
            String blobs = blobDir.toAbsolutePath().toString();
            assertRefused(node, 400, "must be KERNEL, KERNEL_URING, LIBFUSE or AUTO, got", JSON.writeValueAsString(Map.of(
                    "bootstrap", boot, "blobDir", blobs, "mountpoint", mountpoint("refused").toString(), "fuse", "FAST")));
            for (String fuse : List.of("LIBFUSE", "KERNEL_URING", "KERNEL")) {
                Path mp = mountpoint("mnt-" + fuse);
                HttpResponse<String> created = post(node, JSON.writeValueAsString(Map.of(
                        "bootstrap", boot, "blobDir", blobs, "mountpoint", mp.toString(), "fuse", fuse.toLowerCase())));
                assertEquals(201, created.statusCode(), created.body());
                assertEquals(fuse, JSON.readTree(created.body()).get("fuse").asText(), created.body());
                assertArrayEquals(small, Files.readAllBytes(mp.resolve("etc/greeting")), fuse);
                assertArrayEquals(data, Files.readAllBytes(mp.resolve("data/big.bin")), fuse);
                long rings = fuse.equals("KERNEL_URING") ? awaitRingRequests(node, mp) : listed(node, mp).get("ringRequests").asLong();
                assertEquals(fuse.equals("KERNEL_URING"), rings > 0, fuse + ": " + rings + " requests through rings");
                assertEquals(200, delete(node, mp.toString()).statusCode());
                assertFalse(MountTable.isMountPoint(mp), fuse);
            }
        } finally {
            Files.writeString(enableUring, "Y".equals(enabledBefore) || "1".equals(enabledBefore) ? "1" : "0");
        }
    }

    /** The listing's entry for {@code mp}. */
    private JsonNode listed(NodeDaemon node, Path mp) throws Exception {
        for (JsonNode m : JSON.readTree(get(node, "/api/v1/mounts").body())) {
            if (m.get("mountpoint").asText().equals(mp.toString())) {
                return m;
            }
        }
        throw new AssertionError(mp + " is not listed");
    }

    /**
     * Looks up new names in {@code mp} until the listing counts a request answered through the rings (the kernel uses
     * them once every CPU queue has an entry), for up to 10 s; returns that count.
     */
    private long awaitRingRequests(NodeDaemon node, Path mp) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long rings = 0;
        for (int i = 0; rings == 0 && System.nanoTime() < deadline; i++) {
            assertFalse(Files.exists(mp.resolve("missing-" + i))); // a LOOKUP each: a new name every time
            rings = listed(node, mp).get("ringRequests").asLong();
        }
        return rings;
    }

    @Test
    void mountsARegistryImageThroughTheNodeAndUnmountsItWhenTheNodeStops() throws Exception {
        try (RegistryServer registry = RegistryServer.start();
             RegistryClient client = RegistryClient.create(RegistryClientConfig.builder().build())) {
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/nydus/app:v1");
            push(client, ref);
            Path mp = mountpoint("mnt-registry");
            NodeDaemon node = startNodeFor(registry);
            try {
                HttpResponse<String> created = post(node, JSON.writeValueAsString(Map.of(
                        "image", ref.toString(), "mountpoint", mp.toString(), "nodeReads", "PIECES")));
                assertEquals(201, created.statusCode(), created.body());
                assertArrayEquals(data, Files.readAllBytes(mp.resolve("data/big.bin")));
                JsonNode listed = JSON.readTree(get(node, "/api/v1/mounts").body()).get(0);
                assertEquals(ref.toString(), listed.get("image").asText());
                assertFalse(listed.get("sources").get(0).asText().contains("ranges when cold"), listed.toString());
                assertTrue(listed.get("fetchedBytes").path("peer").asLong() > 0,
                        "chunks came through the node's engine: " + listed);
                assertEquals(0, listed.get("fetchedBytes").path("registry").asLong(), listed.toString());
                assertTrue(JSON.readTree(get(node, "/api/v1/tasks").body()).size() >= 1, "the blob is a task of the node");
                String absent = registry.hostPort() + "/nydus/missing:v1";
                HttpResponse<String> missing = post(node, JSON.writeValueAsString(Map.of("image", absent,
                        "mountpoint", mountpoint("mnt-missing").toString())));
                assertEquals(404, missing.statusCode(), missing.body());
                ImageReference plain = ImageReference.parse(registry.hostPort() + "/nydus/plain:v1");
                Descriptor layer = pushBlob(client, plain, Files.readAllBytes(built.blob()), MediaTypes.OCI_LAYER_GZIP, null);
                Descriptor config = pushBlob(client, plain, "{}".getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG, null);
                client.pushManifest(plain, ManifestDocument.of(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config,
                        List.of(layer), null, null)));
                HttpResponse<String> notNydusImage = post(node, JSON.writeValueAsString(Map.of("image", plain.toString(),
                        "mountpoint", mountpoint("mnt-plain").toString())));
                assertEquals(422, notNydusImage.statusCode(), notNydusImage.body());
                assertTrue(notNydusImage.body().contains("is not a Nydus image"), notNydusImage.body());
            } finally {
                node.close();
            }
            assertFalse(MountTable.isMountPoint(mp), "stopping the node unmounted its mount");
            try (var left = Files.list(dir.resolve("data/mounts"))) {
                assertEquals(0, left.count(), "the fetched bootstrap is removed");
            }
        }
    }

    /**
     * A mount without {@code "nodeReads"} on a node alone (its scheduler knows no other host: {@code AUTO} reads as
     * {@code RANGES_WHEN_COLD}), holding nothing of the image: a small file's read takes its range from the registry
     * (fewer bytes than the blob, which is one piece), creates no task in the node's store, keeps the chunks in the
     * mount's own cache (in its work dir, removed with it), and an unknown value is refused.
     */
    @Test
    void coldRangesReadOnlyWhatIsReadAndCreateNoTask() throws Exception {
        try (RegistryServer registry = RegistryServer.start();
             RegistryClient client = RegistryClient.create(RegistryClientConfig.builder().build())) {
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/nydus/cold:v1");
            push(client, ref);
            Path mp = mountpoint("mnt-cold");
            NodeDaemon node = startNodeFor(registry);
            try {
                assertRefused(node, 400, "nodeReads", JSON.writeValueAsString(Map.of("image", ref.toString(),
                        "mountpoint", mp.toString(), "nodeReads", "SOMETIMES")));
                HttpResponse<String> created = post(node, JSON.writeValueAsString(Map.of(
                        "image", ref.toString(), "mountpoint", mp.toString())));
                assertEquals(201, created.statusCode(), created.body());
                assertArrayEquals(small, Files.readAllBytes(mp.resolve("etc/greeting")));
                JsonNode listed = JSON.readTree(get(node, "/api/v1/mounts").body()).get(0);
                long fetched = listed.get("fetchedBytes").path("peer").asLong();
                assertTrue(fetched > 0 && fetched < Files.size(built.blob()),
                        "only the file's range came from the registry, not the blob's one piece: " + listed);
                assertEquals(0, listed.get("fetchedBytes").path("registry").asLong(), listed.toString());
                assertTrue(listed.get("sources").get(0).asText().contains("registry ranges when cold"), listed.toString());
                assertEquals(0, JSON.readTree(get(node, "/api/v1/tasks").body()).size(), "no piece task was started");
                assertArrayEquals(data, Files.readAllBytes(mp.resolve("data/big.bin")));
                try (var work = Files.list(dir.resolve("data/mounts"));
                     var cached = Files.walk(work.findFirst().orElseThrow().resolve("cache"))) {
                    long cachedBytes = cached.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
                    assertTrue(cachedBytes >= data.length / 2, "the chunks read are kept in the mount's own cache: "
                            + cachedBytes + " bytes");
                }
            } finally {
                node.close();
            }
            assertFalse(MountTable.isMountPoint(mp), "stopping the node unmounted its mount");
            try (var left = Files.list(dir.resolve("data/mounts"))) {
                assertEquals(0, left.count(), "the mount's work dir and cache are removed");
            }
        }
    }

    /**
     * {@code AUTO} on a node whose scheduler knows another host reads whole pieces through the engine (a task the
     * other host could fetch from this one); {@code "ranges_when_cold"} (any case) still asks for ranges there.
     */
    @Test
    void autoReadsWholePiecesOnceTheSchedulerKnowsAnotherHost() throws Exception {
        try (RegistryServer registry = RegistryServer.start();
             RegistryClient client = RegistryClient.create(RegistryClientConfig.builder().build())) {
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/nydus/shared:v1");
            push(client, ref);
            NodeDaemon node = startNodeFor(registry);
            NodeDaemon other = null;
            try {
                other = startNode("dataDir=" + dir.resolve("other"), "host.hostname=mounts-test-other",
                        "scheduler.addresses=[127.0.0.1:" + node.ports().get("scheduler") + "]", "proxy.enabled=false");
                Path mp = mountpoint("mnt-auto");
                HttpResponse<String> created = post(node, JSON.writeValueAsString(Map.of(
                        "image", ref.toString(), "mountpoint", mp.toString())));
                assertEquals(201, created.statusCode(), created.body());
                assertArrayEquals(small, Files.readAllBytes(mp.resolve("etc/greeting")));
                JsonNode listed = JSON.readTree(get(node, "/api/v1/mounts").body()).get(0);
                assertFalse(listed.get("sources").get(0).asText().contains("ranges when cold"), listed.toString());
                assertTrue(JSON.readTree(get(node, "/api/v1/tasks").body()).size() >= 1,
                        "the read started a piece task, which the other host could share");
                Path ranged = mountpoint("mnt-ranged");
                HttpResponse<String> asked = post(node, JSON.writeValueAsString(Map.of(
                        "image", ref.toString(), "mountpoint", ranged.toString(), "nodeReads", "ranges_when_cold")));
                assertEquals(201, asked.statusCode(), asked.body());
                JsonNode second = JSON.readTree(get(node, "/api/v1/mounts").body()).get(1);
                assertTrue(second.get("sources").get(0).asText().contains("ranges when cold"), second.toString());
            } finally {
                if (other != null) {
                    other.close();
                }
                node.close();
            }
        }
    }

    private void assertRefused(NodeDaemon node, int status, String reason, String body) throws Exception {
        HttpResponse<String> r = post(node, body);
        assertEquals(status, r.statusCode(), body + " -> " + r.body());
        assertTrue(r.body().contains(reason), r.body());
    }

    private void push(RegistryClient client, ImageReference ref) throws Exception {
        Descriptor blob = pushBlob(client, ref, Files.readAllBytes(built.blob()), "application/vnd.oci.image.layer.nydus.blob.v1",
                Map.of("containerd.io/snapshot/nydus-blob", "true"));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(new GzipCompressorOutputStream(gz))) {
            byte[] boot = Files.readAllBytes(built.bootstrap());
            TarArchiveEntry file = new TarArchiveEntry("image/image.boot");
            file.setSize(boot.length);
            out.putArchiveEntry(file);
            out.write(boot);
            out.closeArchiveEntry();
        }
        Descriptor bootstrap = pushBlob(client, ref, gz.toByteArray(), MediaTypes.OCI_LAYER_GZIP,
                Map.of("containerd.io/snapshot/nydus-bootstrap", "true"));
        Descriptor config = pushBlob(client, ref, ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
                + "\"layers\",\"diff_ids\":[]}}").getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG, null);
        client.pushManifest(ref, ManifestDocument.of(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config,
                List.of(blob, bootstrap), null, null)));
    }

    private static Descriptor pushBlob(RegistryClient client, ImageReference ref, byte[] bytes, String mediaType,
                                       Map<String, String> annotations) throws Exception {
        Digest digest = Digest.sha256(bytes);
        client.pushBlob(ref, digest, bytes.length, new ByteArrayInputStream(bytes), n -> { });
        return new Descriptor(mediaType, digest.toString(), bytes.length, null, annotations, null, null);
    }

    private URI admin(NodeDaemon node, String path) {
        return URI.create("http://127.0.0.1:" + node.ports().get("admin") + path);
    }

    private HttpResponse<String> post(NodeDaemon node, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(admin(node, "/api/v1/mounts")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(NodeDaemon node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(admin(node, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(NodeDaemon node, String mountpoint) throws Exception {
        return http.send(HttpRequest.newBuilder(admin(node, "/api/v1/mounts?mountpoint="
                + URLEncoder.encode(mountpoint, StandardCharsets.UTF_8))).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }
}
