package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.accesslog.AccessLogSlice;
import dev.damselfly.testkit.image.LayerCompression;
import dev.damselfly.testkit.image.LayerDescriptor;
import dev.damselfly.testkit.image.TestImage;
import dev.damselfly.testkit.image.TestImageGenerator;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.skopeo.Skopeo;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code damselfly convert} of a three-layer image whose upper layers white out and make opaque parts of the
 * lower ones: the pushed manifest has Nydus's shape (spec §4.1) and {@code damselfly mount} of the result shows
 * the layers applied in order, with the source bytes.
 */
class ConvertEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void convertsAMultiLayerImageThatMountsAsTheAppliedLayers() throws Exception {
        TestImage image = TestImageGenerator.builder().seed(5).layers(3).allEntryTypesLayer(false)
                .compression(LayerCompression.GZIP).tag("v1").writeLayout(work.resolve("source"));
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.none())) {
            Skopeo.create().push(image, registry.hostPort(), "convert/source", "v1", null);
            String src = registry.hostPort() + "/convert/source:v1";
            String dst = registry.hostPort() + "/convert/nydus:v1";
            DamselflyProcess.Result convert = DamselflyProcess.run(null, "convert", src, dst);
            assertEquals(0, convert.exitCode(), convert.describe());

            JsonNode manifest = JSON.readTree(Skopeo.create().run(List.of("inspect", "--raw", "--tls-verify=false", "docker://" + dst)));
            JsonNode layers = manifest.path("layers");
            assertEquals(4, layers.size(), "three blob layers and the bootstrap layer: " + manifest);
            for (int i = 0; i < 3; i++) {
                assertEquals("application/vnd.oci.image.layer.nydus.blob.v1", layers.get(i).path("mediaType").asText());
                assertEquals("true", layers.get(i).path("annotations").path("containerd.io/snapshot/nydus-blob").asText());
            }
            assertEquals("true", layers.get(3).path("annotations").path("containerd.io/snapshot/nydus-bootstrap").asText());
            assertEquals("6", layers.get(3).path("annotations").path("containerd.io/snapshot/nydus-fs-version").asText());

            // again, in another JVM: the same manifest bytes, and blobs already there are not stored twice
            String first = Skopeo.create().run(List.of("inspect", "--raw", "--tls-verify=false", "docker://" + dst));
            AccessLog.Mark mark = registry.accessLog().mark();
            DamselflyProcess.Result again = DamselflyProcess.run(null, "convert", src, dst);
            assertEquals(0, again.exitCode(), again.describe());
            assertEquals(first, Skopeo.create().run(List.of("inspect", "--raw", "--tls-verify=false", "docker://" + dst)),
                    "converting the same image twice gives the same manifest");
            AccessLogSlice second = registry.accessLog().awaitMatching(mark, e -> e.method().equals("DELETE"), 3,
                    Duration.ofSeconds(5));
            assertEquals(3, second.count(e -> e.method().equals("DELETE")), "each blob upload, the blob being there, is cancelled");
            assertEquals(0, second.count(e -> e.method().equals("PUT") && e.path().contains("/blobs/uploads/")),
                    "no blob is stored again");

            Map<String, byte[]> files = sourceFiles(image);
            Path mountpoint = Files.createDirectories(work.resolve("mnt"));
            mounted(dst, mountpoint, List.of(), () -> {
                assertFalse(Files.exists(mountpoint.resolve("layer-0/file-0.bin")), "whited out by layer 1");
                assertFalse(Files.exists(mountpoint.resolve("layer-0/sub/readme.txt")), "hidden by layer 1's opaque marker");
                assertFalse(Files.exists(mountpoint.resolve("layer-1/file-0.bin")), "whited out by layer 2");
                assertFalse(Files.exists(mountpoint.resolve("layer-1/.wh.file-0.bin")), "whiteout markers are not files");
                for (String path : List.of("layer-0/file-1.bin", "layer-0/file-3.bin", "layer-1/file-2.bin", "layer-2/file-0.bin",
                        "layer-2/sub/readme.txt")) {
                    assertArrayEquals(files.get(path), Files.readAllBytes(mountpoint.resolve(path)), path);
                }
                assertEquals("file-3.bin", Files.readSymbolicLink(mountpoint.resolve("layer-2/latest")).toString());
            });
        }
    }

    @Test
    void aPrefetchListBecomesThePrefetchTableAndTheListedChunksComeLastInEachBlob() throws Exception {
        TestImage image = TestImageGenerator.builder().seed(9).layers(2).allEntryTypesLayer(false)
                .compression(LayerCompression.GZIP).tag("v1").writeLayout(work.resolve("source"));
        Path list = Files.writeString(work.resolve("prefetch.txt"), "/layer-1/file-2.bin\n/layer-0/file-3.bin\n/nope\n");
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.none())) {
            Skopeo.create().push(image, registry.hostPort(), "convert/source", "v1", null);
            String src = registry.hostPort() + "/convert/source:v1";
            String dst = registry.hostPort() + "/convert/nydus:prefetch";
            DamselflyProcess.Result convert = DamselflyProcess.run(null, "convert", "--prefetch-list", list.toString(), src, dst);
            assertEquals(0, convert.exitCode(), convert.describe());
            assertTrue(convert.describe().contains("prefetch path /nope is not in the image"), convert.describe());

            Map<String, byte[]> files = sourceFiles(image);
            Path mountpoint = Files.createDirectories(work.resolve("mnt"));
            Path workDir = work.resolve("mount-work");
            mounted(dst, mountpoint, List.of("--work-dir", workDir.toString(), "--cache-dir", work.resolve("cache").toString(),
                    "--prefetch", "TABLE"), () -> {
                for (String path : List.of("layer-1/file-2.bin", "layer-0/file-3.bin", "layer-0/file-1.bin")) {
                    assertArrayEquals(files.get(path), Files.readAllBytes(mountpoint.resolve(path)), path);
                }
            });
            Path bootstrap;
            try (var boots = Files.walk(workDir)) {
                List<Path> all = boots.toList();
                bootstrap = all.stream().filter(p -> p.toString().endsWith(".boot")).findFirst()
                        .orElseThrow(() -> new AssertionError("no bootstrap in the mount's work dir: " + all + "\n"
                                + readQuietly(work.resolve("mount.err"))));
            }
            try (RafsImage img = RafsImages.open(bootstrap)) {
                long listed1 = img.resolve("/layer-1/file-2.bin").orElseThrow();
                long listed0 = img.resolve("/layer-0/file-3.bin").orElseThrow();
                assertEquals(List.of(listed1, listed0), img.prefetchHandles());
                for (String layer : List.of("layer-0", "layer-1")) {
                    long listed = layer.equals("layer-0") ? listed0 : listed1;
                    ChunkRef first = img.chunks(listed).get(0);
                    // layer 1 whites out layer-0/file-0.bin and makes layer-0/sub opaque
                    for (String other : layer.equals("layer-0") ? List.of("file-1.bin", "file-2.bin")
                            : List.of("file-0.bin", "file-1.bin", "sub/readme.txt")) {
                        for (ChunkRef c : img.chunks(img.resolve("/" + layer + "/" + other).orElseThrow())) {
                            assertEquals(first.blobIndex(), c.blobIndex(), layer + "/" + other + " is in the same blob");
                            assertTrue(c.compressedOffset() < first.compressedOffset(),
                                    layer + "/" + other + " comes before the listed file's chunks");
                        }
                    }
                }
            }
        }
    }

    /** Checks to run while the image is mounted. */
    @FunctionalInterface
    private interface MountedChecks {
        void run() throws Exception;
    }

    /**
     * Runs {@code damselfly mount IMAGE MOUNTPOINT EXTRA...} (stderr to {@code mount.err} in the work dir), runs the
     * checks once it says "mounted", then unmounts with {@code damselfly umount} and waits for the process to end;
     * on any failure it unmounts with fusermount and stops the process.
     */
    private void mounted(String image, Path mountpoint, List<String> extra, MountedChecks checks) throws Exception {
        Path stderr = work.resolve("mount.err");
        List<String> args = new java.util.ArrayList<>(List.of("mount", image, mountpoint.toString()));
        args.addAll(extra);
        Process mount = DamselflyProcess.start(stderr, args.toArray(String[]::new));
        boolean unmounted = false;
        try {
            String line = new BufferedReader(new InputStreamReader(mount.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(line != null && line.startsWith("mounted "), line + "\n" + Files.readString(stderr));
            checks.run();
            DamselflyProcess.Result umount = DamselflyProcess.run(null, "umount", mountpoint.toString());
            assertEquals(0, umount.exitCode(), umount.describe());
            unmounted = true;
            assertTrue(mount.waitFor(20, TimeUnit.SECONDS));
        } finally {
            if (!unmounted) {
                new ProcessBuilder("fusermount", "-u", mountpoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
            mount.destroy();
            mount.waitFor(15, TimeUnit.SECONDS);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(" + file + ": " + e + ")";
        }
    }

    /** Regular files of all source layers by path (later layers win), read from the layout's gzip layer tars. */
    private static Map<String, byte[]> sourceFiles(TestImage image) throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        for (LayerDescriptor layer : image.layers()) {
            try (InputStream in = Files.newInputStream(image.blobPath(layer.digest()));
                 TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                    if (e.isFile()) {
                        files.put(name, tar.readAllBytes());
                    }
                }
            }
        }
        return files;
    }
}
