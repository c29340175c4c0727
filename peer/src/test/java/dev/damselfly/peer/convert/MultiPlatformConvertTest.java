package dev.damselfly.peer.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageIndex;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.peer.cli.CliRun;
import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.testkit.image.LayerDescriptor;
import dev.damselfly.testkit.image.PlatformImage;
import dev.damselfly.testkit.image.TestImage;
import dev.damselfly.testkit.image.TestImageGenerator;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.skopeo.Skopeo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code damselfly convert --all-platforms} of a two-platform index (linux/amd64 and linux/arm64/v8 with their own
 * layers, every entry type, whiteouts and opaque directories, and one large layer shared by both) pushed to a real
 * {@code docker-registry}: the pushed index lists one Nydus manifest per platform with the source entry's platform,
 * each manifest has Nydus's shape (spec §4.1), the shared layer is built once and both manifests name the same blob,
 * and each platform's merged bootstrap, read through the blobs pulled from the registry with every chunk digest
 * verified, is exactly that platform's source tree (layers applied with OCI whiteout rules). {@code --platform}
 * still converts one platform, to the same blobs.
 */
class MultiPlatformConvertTest {
    @TempDir
    Path dir;

    @Test
    void convertsEveryPlatformOfAnIndexIntoAnIndexOfNydusManifests() throws Exception {
        TestImage image = TestImageGenerator.builder().seed(9).layers(2).largeLayerBytes(3L << 20).multiPlatform(true)
                .tag("v1").writeLayout(dir.resolve("source"));
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.none());
             RegistryClient client = RegistryClient.create(RegistryClientConfig.builder()
                     .plainHttpRegistries(Set.of(registry.hostPort())).build())) {
            Skopeo.create().push(image, registry.hostPort(), "mp/source", "v1", null);
            String src = registry.hostPort() + "/mp/source:v1";
            String dst = registry.hostPort() + "/mp/nydus:v1";

            CliRun both = CliRun.run("convert", "--all-platforms", "--platform", "linux/amd64", src, dst);
            assertEquals(2, both.exitCode(), both::toString);

            CliRun run = CliRun.run("convert", "--all-platforms", src, dst);
            assertEquals(0, run.exitCode(), run::toString);
            // 2 own layers per platform + the large layer, which the second platform takes from the first
            assertTrue(run.out().contains(": 2 platforms, 5 layers built, 1 shared; digest sha256:"), run::toString);

            ImageReference dstRef = ImageReference.parse(dst);
            ManifestDocument top = client.pullManifest(dstRef);
            assertTrue(top.isIndex(), "an index was pushed under the tag");
            assertEquals(MediaTypes.OCI_INDEX, top.mediaType());
            ImageIndex index = top.index();
            assertEquals(2, index.manifests().size());
            ManifestDocument sourceIndex = client.pullManifest(ImageReference.parse(src));
            List<String> largeBlobs = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                Descriptor entry = index.manifests().get(p);
                Descriptor sourceEntry = sourceIndex.index().manifests().get(p);
                assertEquals(sourceEntry.platform(), entry.platform(), "platform of entry " + p);
                assertEquals(MediaTypes.OCI_MANIFEST, entry.mediaType());
                ManifestDocument doc = client.pullManifest(dstRef.withDigest(entry.digest()));
                assertEquals(entry.size(), doc.size());
                ImageManifest m = doc.manifest();
                PlatformImage source = image.platforms().stream()
                        .filter(pi -> pi.manifestDigest().equals(sourceEntry.digestText())).findFirst().orElseThrow();
                assertEquals(source.layers().size() + 1, m.layers().size(), "a blob layer per source layer + bootstrap");
                List<String> blobDigests = new ArrayList<>();
                for (int i = 0; i < source.layers().size(); i++) {
                    Descriptor l = m.layers().get(i);
                    assertEquals(NydusFormat.BLOB_MEDIA_TYPE, l.mediaType());
                    assertEquals("true", l.annotations().get(NydusFormat.BLOB_ANNOTATION));
                    blobDigests.add(l.digestText());
                }
                largeBlobs.add(blobDigests.get(blobDigests.size() - 1));
                Descriptor boot = m.layers().get(m.layers().size() - 1);
                assertEquals(MediaTypes.OCI_LAYER_GZIP, boot.mediaType());
                assertEquals("true", boot.annotations().get(NydusFormat.BOOTSTRAP_ANNOTATION));
                assertEquals("6", boot.annotations().get(NydusFormat.FS_VERSION_ANNOTATION));
                assertBootstrapIsTheSourceTree(client, dstRef, boot, blobDigests, source, image, "platform " + p);
            }
            assertEquals(largeBlobs.get(0), largeBlobs.get(1), "the shared source layer became one shared blob");

            // --platform still converts one platform: a manifest with the same blobs as that index entry
            String one = registry.hostPort() + "/mp/nydus-arm64:v1";
            CliRun arm = CliRun.run("convert", "--platform", "linux/arm64", src, one);
            assertEquals(0, arm.exitCode(), arm::toString);
            ManifestDocument armDoc = client.pullManifest(ImageReference.parse(one));
            assertFalse(armDoc.isIndex());
            Descriptor armEntry = index.manifests().stream().filter(d -> "arm64".equals(d.platform().architecture()))
                    .findFirst().orElseThrow();
            ImageManifest fromIndex = client.pullManifest(dstRef.withDigest(armEntry.digest())).manifest();
            assertEquals(fromIndex.layers(), armDoc.manifest().layers());
        }
    }

    /** Pulls the bootstrap layer and the blobs, and compares the merged tree with the applied source layers. */
    private void assertBootstrapIsTheSourceTree(RegistryClient client, ImageReference repo, Descriptor bootLayer,
                                                List<String> blobDigests, PlatformImage source, TestImage image,
                                                String what) throws Exception {
        Path boot = dir.resolve(bootLayer.digest().hex() + ".boot");
        try (InputStream in = client.pullBlob(repo, bootLayer.digest(), bootLayer.size());
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            boolean found = false;
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.getName().equals(NydusFormat.BOOTSTRAP_PATH)) {
                    Files.write(boot, tar.readAllBytes());
                    found = true;
                }
            }
            assertTrue(found, what + ": bootstrap layer has " + NydusFormat.BOOTSTRAP_PATH);
        }
        Path blobs = Files.createDirectories(dir.resolve("blobs"));
        List<FileBlobByteSource> sources = new ArrayList<>();
        try (RafsImage img = RafsImages.open(boot)) {
            assertEquals(blobDigests, img.blobs().stream().map(b -> "sha256:" + b.blobId()).toList(),
                    what + ": blob table = the manifest's blob layers, named by registry digest");
            for (BlobInfo b : img.blobs()) {
                Path file = blobs.resolve(b.blobId());
                if (!Files.exists(file)) {
                    try (InputStream in = client.pullBlob(repo, Digest.parse("sha256:" + b.blobId()), -1)) {
                        Files.copy(in, file);
                    }
                }
                sources.add(new FileBlobByteSource(file));
            }
            FileContentReader reader = new FileContentReader(img, sources::get, true);
            Map<String, String> actual = new TreeMap<>();
            walk(img, reader, img.rootHandle(), "", actual);
            Map<String, String> expected = SourceTree.apply(source.layers().stream().map(LayerDescriptor::digest)
                    .map(image::blobPath).toList());
            assertEquals(expected, actual, what + ": merged tree vs source layers applied");
            assertTrue(expected.size() > 20, what + ": " + expected.size() + " names");
        } finally {
            for (FileBlobByteSource s : sources) {
                s.close();
            }
        }
    }

    private static void walk(RafsImage img, FileContentReader reader, long dir, String prefix, Map<String, String> out)
            throws Exception {
        for (DirEntry e : img.readDir(dir)) {
            String path = prefix + "/" + new String(e.name(), StandardCharsets.UTF_8);
            InodeAttributes a = img.stat(e.handle());
            String detail = "";
            if (a.type() == FileType.REGULAR) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                reader.copyTo(e.handle(), bytes);
                detail = sha256(bytes.toByteArray());
            } else if (a.type() == FileType.SYMLINK) {
                detail = new String(img.readLink(e.handle()), StandardCharsets.UTF_8);
            } else if (a.type() == FileType.CHAR_DEVICE || a.type() == FileType.BLOCK_DEVICE) {
                detail = a.rdevMajor() + ":" + a.rdevMinor();
            }
            out.put(path, SourceTree.describe(a.type().name(), a.permissions(), a.uid(), a.gid(), detail));
            if (a.type() == FileType.DIRECTORY) {
                walk(img, reader, e.handle(), path, out);
            }
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** The tree that applying gzip layer tars in order gives (OCI whiteouts and opaque directories), path → summary. */
    static final class SourceTree {
        private SourceTree() {
        }

        static String describe(String type, int permissions, long uid, long gid, String detail) {
            return String.format("%s %04o %d:%d %s", type, permissions & 07777, uid, gid, detail);
        }

        static Map<String, String> apply(List<Path> layers) throws Exception {
            TreeMap<String, String> merged = new TreeMap<>();
            for (Path layer : layers) {
                Map<String, String> entries = new java.util.LinkedHashMap<>();
                List<String> whiteouts = new ArrayList<>();
                List<String> opaque = new ArrayList<>();
                try (InputStream in = Files.newInputStream(layer);
                     TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
                    for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                        String path = normalise(e.getName());
                        if (path.equals("/")) {
                            continue;
                        }
                        String name = path.substring(path.lastIndexOf('/') + 1);
                        String parent = path.substring(0, path.lastIndexOf('/'));
                        if (name.equals(".wh..wh..opq")) {
                            opaque.add(parent);
                            continue;
                        }
                        if (name.startsWith(".wh.")) {
                            whiteouts.add(parent + "/" + name.substring(4));
                            continue;
                        }
                        String summary;
                        if (e.isLink()) {
                            String target = normalise(e.getLinkName());
                            summary = entries.containsKey(target) ? entries.get(target) : merged.get(target);
                        } else if (e.isDirectory()) {
                            summary = describe("DIRECTORY", e.getMode(), e.getLongUserId(), e.getLongGroupId(), "");
                        } else if (e.isSymbolicLink()) {
                            summary = describe("SYMLINK", e.getMode(), e.getLongUserId(), e.getLongGroupId(), e.getLinkName());
                        } else if (e.isCharacterDevice() || e.isBlockDevice()) {
                            summary = describe(e.isCharacterDevice() ? "CHAR_DEVICE" : "BLOCK_DEVICE", e.getMode(),
                                    e.getLongUserId(), e.getLongGroupId(), e.getDevMajor() + ":" + e.getDevMinor());
                        } else if (e.isFIFO()) {
                            summary = describe("FIFO", e.getMode(), e.getLongUserId(), e.getLongGroupId(), "");
                        } else {
                            summary = describe("REGULAR", e.getMode(), e.getLongUserId(), e.getLongGroupId(),
                                    sha256(tar.readAllBytes()));
                        }
                        entries.put(path, summary);
                    }
                }
                for (String d : opaque) {
                    removeBelow(merged, d);
                }
                for (String w : whiteouts) {
                    merged.remove(w);
                    removeBelow(merged, w);
                }
                for (Map.Entry<String, String> e : entries.entrySet()) {
                    String old = merged.get(e.getKey());
                    boolean dirOverDir = old != null && old.startsWith("DIRECTORY") && e.getValue().startsWith("DIRECTORY");
                    if (!dirOverDir) {
                        removeBelow(merged, e.getKey());
                    }
                    merged.put(e.getKey(), e.getValue());
                }
            }
            return merged;
        }

        private static String normalise(String name) {
            String n = name.startsWith("./") ? name.substring(2) : name;
            n = n.startsWith("/") ? n.substring(1) : n;
            n = n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
            return n.isEmpty() || n.equals(".") ? "/" : "/" + n;
        }

        private static void removeBelow(TreeMap<String, String> m, String dir) {
            m.keySet().removeIf(k -> k.startsWith(dir + "/"));
        }
    }
}
