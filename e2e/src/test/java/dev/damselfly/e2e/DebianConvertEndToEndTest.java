package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.RafsVersion;
import dev.damselfly.rafs.Xattr;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.testkit.debian.DebianImage;
import dev.damselfly.testkit.debian.TreeEntry;
import dev.damselfly.testkit.debian.TreeListing;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.skopeo.Skopeo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3 on a real root filesystem: a debootstrapped Debian bookworm (minbase + python3-minimal, about 7,500
 * entries, 220 MiB; one umoci layer) is pushed to a real registry and converted by {@code damselfly convert}.
 * The pushed Nydus image has the shape of spec §4 (media types, annotations, bootstrap layer last, blob digests
 * and ids, config diff_ids); {@code fsck.erofs} accepts the merged bootstrap with the blob as its device; and the
 * bootstrap, read back through the rafs reader with every chunk verified, describes exactly the source tree:
 * every path, type, mode, owner, size, symlink target, hard-link group, device number, xattr and file SHA-256.
 */
class DebianConvertEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DebianImage IMAGE = DebianImage.bookwormWithPython();
    private static final String NYDUS_BLOB = "application/vnd.oci.image.layer.nydus.blob.v1";

    @TempDir
    Path work;

    @Test
    void convertsDebianToANydusImageWhoseBootstrapIsTheSourceTree() throws Exception {
        SortedMap<String, TreeEntry> source = TreeListing.of(IMAGE.tree());
        int sourceLayers = IMAGE.manifest().path("layers").size();
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.none())) {
            String src = IMAGE.push(Skopeo.create(), registry.hostPort(), "debian/oci", "bookworm");
            String dst = registry.hostPort() + "/debian/nydus:bookworm";
            long start = System.nanoTime();
            DamselflyProcess.Result convert = DamselflyProcess.run(null, "convert", src, dst);
            assertEquals(0, convert.exitCode(), convert.describe());
            System.out.printf("damselfly convert of %s (%d source bytes): %.1f s%n", src,
                    Files.size(IMAGE.layerBlobs().get(0)), (System.nanoTime() - start) / 1e9);

            JsonNode manifest = JSON.readTree(Skopeo.create().run(List.of("inspect", "--raw", "--tls-verify=false", "docker://" + dst)));
            assertEquals("application/vnd.oci.image.manifest.v1+json", manifest.path("mediaType").asText(), manifest.toString());
            JsonNode layers = manifest.path("layers");
            assertEquals(sourceLayers + 1, layers.size(), "one blob layer per source layer, then the bootstrap: " + manifest);

            String repo = "debian/nydus";
            List<Path> blobs = new ArrayList<>();
            List<String> blobIds = new ArrayList<>();
            for (int i = 0; i < sourceLayers; i++) {
                JsonNode layer = layers.get(i);
                assertEquals(NYDUS_BLOB, layer.path("mediaType").asText(), "layer " + i);
                assertEquals("true", layer.path("annotations").path("containerd.io/snapshot/nydus-blob").asText(), "layer " + i);
                String digest = layer.path("digest").asText();
                Path blob = work.resolve(digest.substring("sha256:".length()));
                assertEquals(digest, download(registry, repo, digest, blob), "the blob layer's digest is sha256 of the raw blob");
                assertEquals(layer.path("size").asLong(), Files.size(blob), "layer " + i + " size");
                blobs.add(blob);
                blobIds.add(digest.substring("sha256:".length()));
            }
            JsonNode bootLayer = layers.get(sourceLayers);
            assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", bootLayer.path("mediaType").asText());
            assertEquals("true", bootLayer.path("annotations").path("containerd.io/snapshot/nydus-bootstrap").asText());
            assertEquals("6", bootLayer.path("annotations").path("containerd.io/snapshot/nydus-fs-version").asText());
            String bootDigest = bootLayer.path("digest").asText();
            Path bootGz = work.resolve("bootstrap.tar.gz");
            assertEquals(bootDigest, download(registry, repo, bootDigest, bootGz), "bootstrap layer digest is sha256 of the gzip stream");
            Path bootstrap = work.resolve("image.boot");
            String bootTarDigest = extractBootstrap(bootGz, bootstrap);

            String configDigest = manifest.path("config").path("digest").asText();
            Path configFile = work.resolve("config.json");
            assertEquals(configDigest, download(registry, repo, configDigest, configFile));
            JsonNode config = JSON.readTree(configFile.toFile());
            List<String> diffIds = new ArrayList<>();
            config.path("rootfs").path("diff_ids").forEach(d -> diffIds.add(d.asText()));
            List<String> expectedDiffIds = new ArrayList<>();
            blobIds.forEach(id -> expectedDiffIds.add("sha256:" + id));
            expectedDiffIds.add(bootTarDigest);
            assertEquals(expectedDiffIds, diffIds, "§4.3: blob digests, then sha256 of the uncompressed bootstrap tar");
            assertEquals("linux", config.path("os").asText());

            List<String> fsck = new ArrayList<>(List.of("fsck.erofs"));
            blobs.forEach(b -> fsck.add("--device=" + b));
            fsck.add(bootstrap.toString());
            Process p = new ProcessBuilder(fsck).redirectErrorStream(true).start();
            String fsckOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), String.join(" ", fsck) + "\n" + fsckOut);

            long readStart = System.nanoTime();
            SortedMap<String, TreeEntry> converted;
            try (RafsImage img = RafsImages.open(bootstrap)) {
                assertEquals(RafsVersion.V6, img.version());
                assertTrue(img.explicitUidGid(), "owners are recorded (Debian has non-root groups)");
                List<String> tableIds = img.blobs().stream().map(b -> b.blobId()).toList();
                assertEquals(blobIds, tableIds, "§4.5: the blob table names each blob by its layer digest, in layer order");
                converted = listing(img, blobs);
            }
            System.out.printf("read back %d entries through the rafs reader: %.1f s%n", converted.size(), (System.nanoTime() - readStart) / 1e9);
            assertTrue(source.size() > 5000, "a real tree: " + source.size());
            assertEquals("", TreeListing.describeDifferences(source, converted));
        }
    }

    /** The image as a {@link TreeListing}: walked from the root, every regular file read with chunk digests verified. */
    private static SortedMap<String, TreeEntry> listing(RafsImage img, List<Path> blobFiles) throws IOException {
        List<FileBlobByteSource> sources = new ArrayList<>();
        try {
            for (Path b : blobFiles) {
                sources.add(new FileBlobByteSource(b));
            }
            FileContentReader reader = new FileContentReader(img, sources::get, true);
            Map<String, TreeEntry> entries = new HashMap<>();
            Map<String, Long> inodes = new HashMap<>();
            walk(img, reader, img.rootHandle(), "/", entries, inodes);
            return TreeListing.withHardLinkGroups(entries, inodes);
        } finally {
            for (FileBlobByteSource s : sources) {
                s.close();
            }
        }
    }

    private static void walk(RafsImage img, FileContentReader reader, long handle, String path, Map<String, TreeEntry> entries,
                             Map<String, Long> inodes) throws IOException {
        InodeAttributes a = img.stat(handle);
        FileType type = a.type();
        String target = type == FileType.SYMLINK ? new String(img.readLink(handle), StandardCharsets.UTF_8) : null;
        String sha = null;
        if (type == FileType.REGULAR) {
            MessageDigest md = sha256();
            try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
                reader.copyTo(handle, out);
            }
            sha = HexFormat.of().formatHex(md.digest());
        }
        String device = type == FileType.CHAR_DEVICE || type == FileType.BLOCK_DEVICE ? a.rdevMajor() + ":" + a.rdevMinor() : null;
        TreeMap<String, String> xattrs = new TreeMap<>();
        for (Xattr x : img.xattrs(handle)) {
            xattrs.put(x.nameString(), HexFormat.of().formatHex(x.value()));
        }
        long size = type == FileType.REGULAR || type == FileType.SYMLINK ? a.size() : 0;
        entries.put(path, new TreeEntry(path, a.mode(), a.uid(), a.gid(), size, target, sha, device, null, xattrs));
        inodes.put(path, a.ino());
        if (type == FileType.DIRECTORY) {
            for (DirEntry d : img.readDir(handle)) {
                walk(img, reader, d.handle(), (path.equals("/") ? "/" : path + "/") + d.nameString(), entries, inodes);
            }
        }
    }

    /** Extracts {@code image/image.boot}; returns {@code sha256:} of the uncompressed tar (§4.2, §4.3). */
    private static String extractBootstrap(Path gz, Path out) throws IOException {
        MessageDigest tarDigest = sha256();
        boolean found = false;
        try (InputStream in = Files.newInputStream(gz);
             DigestInputStream tarBytes = new DigestInputStream(new GzipCompressorInputStream(in), tarDigest);
             TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes)) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile() && e.getName().equals("image/image.boot")) {
                    Files.copy(tar, out);
                    found = true;
                }
            }
            tarBytes.transferTo(OutputStream.nullOutputStream()); // the tar's zero blocks count too
        }
        assertTrue(found, "image/image.boot in the bootstrap layer");
        return "sha256:" + HexFormat.of().formatHex(tarDigest.digest());
    }

    /** GETs a blob straight from the registry (not through our client) into {@code file}; returns its sha256 digest. */
    private static String download(RegistryServer registry, String repo, String digest, Path file) throws Exception {
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + registry.hostPort() + "/v2/" + repo + "/blobs/" + digest)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode(), digest);
        MessageDigest md = sha256();
        try (InputStream in = new DigestInputStream(r.body(), md)) {
            Files.copy(in, file);
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
