package dev.damselfly.peer.cli.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tiny OCI image layouts by hand (Jackson and SHA-256 only, no Damselfly code), so the tests
 * check the CLI against an independent writer of the format.
 */
final class TestLayout {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A blob written to a layout: its digest, size and bytes. */
    record Blob(String digest, long size, byte[] bytes) {
    }

    /** A single-platform image written to a layout. */
    record Image(Blob manifest, Blob config, Blob layer, String diffId) {
    }

    private final Path root;

    private TestLayout(Path root) {
        this.root = root;
    }

    /** Creates {@code oci-layout}, {@code blobs/sha256} and an empty {@code index.json} under {@code root}. */
    static TestLayout create(Path root) throws IOException {
        Files.createDirectories(root.resolve("blobs/sha256"));
        Files.writeString(root.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        TestLayout layout = new TestLayout(root);
        layout.writeIndex(List.of());
        return layout;
    }

    Path root() {
        return root;
    }

    /**
     * Writes config, one gzip layer and a manifest for {@code os/arch}; returns them (not yet in index.json).
     *
     * @param seed makes the layer content differ between images
     */
    Image writeImage(String os, String arch, String seed) throws IOException {
        byte[] tar = ("pretend tar of " + seed + " ").repeat(500).getBytes(StandardCharsets.UTF_8);
        Blob layer = writeBlob(gzip(tar));
        String diffId = "sha256:" + sha256(tar);

        ObjectNode config = JSON.createObjectNode();
        config.put("created", "2024-05-01T12:00:00Z");
        config.put("architecture", arch);
        config.put("os", os);
        ObjectNode runtime = config.putObject("config");
        runtime.putArray("Env").add("PATH=/usr/bin:/bin").add("SEED=" + seed);
        runtime.putArray("Entrypoint").add("/bin/sh");
        runtime.putArray("Cmd").add("-c").add("echo " + seed);
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId);
        Blob configBlob = writeBlob(JSON.writeValueAsBytes(config));

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        descriptor(manifest.putObject("config"), OCI_CONFIG, configBlob);
        descriptor(manifest.putArray("layers").addObject(), OCI_LAYER_GZIP, layer);
        Blob manifestBlob = writeBlob(JSON.writeValueAsBytes(manifest));
        return new Image(manifestBlob, configBlob, layer, diffId);
    }

    /** Writes an index over {@code images}, whose platforms are given in the same order as os/arch pairs. */
    Blob writeImageIndex(List<Image> images, List<String[]> platforms) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (int i = 0; i < images.size(); i++) {
            ObjectNode entry = manifests.addObject();
            descriptor(entry, OCI_MANIFEST, images.get(i).manifest());
            entry.putObject("platform").put("os", platforms.get(i)[0]).put("architecture", platforms.get(i)[1]);
        }
        return writeBlob(JSON.writeValueAsBytes(index));
    }

    /** Rewrites {@code index.json} to list {@code entries}: each a (mediaType, blob, tag) triple; tag may be null. */
    void writeIndex(List<Object[]> entries) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Object[] entry : entries) {
            ObjectNode item = manifests.addObject();
            descriptor(item, (String) entry[0], (Blob) entry[1]);
            if (entry[2] != null) {
                item.putObject("annotations").put("org.opencontainers.image.ref.name", (String) entry[2]);
            }
        }
        Files.write(root.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    Blob writeBlob(byte[] bytes) throws IOException {
        String hex = sha256(bytes);
        Files.write(root.resolve("blobs/sha256").resolve(hex), bytes);
        return new Blob("sha256:" + hex, bytes.length, bytes);
    }

    Path blobPath(String digest) {
        return root.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private static void descriptor(ObjectNode node, String mediaType, Blob blob) {
        node.put("mediaType", mediaType);
        node.put("digest", blob.digest());
        node.put("size", blob.size());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(buffer)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }
}
