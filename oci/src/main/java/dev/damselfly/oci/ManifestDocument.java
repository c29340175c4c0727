package dev.damselfly.oci;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.Arrays;

/**
 * A manifest or index exactly as served: its raw bytes (what the digest covers and what a push
 * sends), its media type and digest, and the parsed form.
 */
public final class ManifestDocument {
    /**
     * Jackson mapper shared by the model: tolerant of unknown fields, and writing map entries (annotations) sorted by
     * key, as Go's encoding/json does, so a manifest we build has the same bytes and digest every time (a
     * {@code Map.of}'s iteration order changes from one JVM to the next).
     */
    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final byte[] bytes;
    private final String mediaType;
    private final Digest digest;
    private final ImageManifest manifest;
    private final ImageIndex index;

    private ManifestDocument(byte[] bytes, String mediaType, Digest digest, ImageManifest manifest, ImageIndex index) {
        this.bytes = bytes;
        this.mediaType = mediaType;
        this.digest = digest;
        this.manifest = manifest;
        this.index = index;
    }

    /**
     * Parses manifest bytes. The media type is taken from the JSON's {@code mediaType} field, else
     * from {@code headerMediaType} (the HTTP Content-Type), else guessed from the shape
     * ({@code manifests} → index, {@code layers} → manifest).
     *
     * @param where names the source in error messages (a reference or a file)
     */
    public static ManifestDocument parse(byte[] bytes, String headerMediaType, String where) throws ManifestFormatException {
        JsonNode tree;
        try {
            tree = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new ManifestFormatException(where, "not JSON", e);
        }
        if (tree == null || !tree.isObject()) {
            throw new ManifestFormatException(where, "not a JSON object", null);
        }
        String mediaType = tree.path("mediaType").asText("");
        if (mediaType.isEmpty() && headerMediaType != null) {
            mediaType = stripParameters(headerMediaType);
        }
        if (!MediaTypes.isIndex(mediaType) && !MediaTypes.isManifest(mediaType)) {
            if (tree.has("manifests")) {
                mediaType = MediaTypes.OCI_INDEX;
            } else if (tree.has("layers") && tree.has("config")) {
                mediaType = MediaTypes.OCI_MANIFEST;
            } else if (tree.path("schemaVersion").asInt() == 1) {
                throw new ManifestFormatException(where, "Docker schema 1 manifests are not supported", null);
            } else {
                throw new ManifestFormatException(where, "unknown manifest media type '" + mediaType + "'", null);
            }
        }
        try {
            ImageManifest manifest = null;
            ImageIndex index = null;
            if (MediaTypes.isIndex(mediaType)) {
                index = JSON.treeToValue(tree, ImageIndex.class);
            } else {
                manifest = JSON.treeToValue(tree, ImageManifest.class);
                if (manifest.config() == null) {
                    throw new ManifestFormatException(where, "image manifest has no config descriptor", null);
                }
            }
            return new ManifestDocument(bytes.clone(), mediaType, Digest.sha256(bytes), manifest, index);
        } catch (IOException e) {
            throw new ManifestFormatException(where, e.getMessage(), e);
        }
    }

    /** Serialises a manifest we built ourselves (for pushes of new manifests). */
    public static ManifestDocument of(ImageManifest manifest) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(manifest);
            return new ManifestDocument(bytes, manifest.mediaType(), Digest.sha256(bytes), manifest, null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    /** Serialises an index we built ourselves. */
    public static ManifestDocument of(ImageIndex index) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(index);
            return new ManifestDocument(bytes, index.mediaType(), Digest.sha256(bytes), null, index);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise index", e);
        }
    }

    private static String stripParameters(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    public String mediaType() {
        return mediaType;
    }

    /** SHA-256 of the raw bytes. */
    public Digest digest() {
        return digest;
    }

    public boolean isIndex() {
        return index != null;
    }

    /** The image manifest; throws if this document is an index. */
    public ImageManifest manifest() {
        if (manifest == null) {
            throw new IllegalStateException("document " + digest + " is an index, not an image manifest");
        }
        return manifest;
    }

    /** The index; throws if this document is an image manifest. */
    public ImageIndex index() {
        if (index == null) {
            throw new IllegalStateException("document " + digest + " is an image manifest, not an index");
        }
        return index;
    }

    /** A descriptor of this document (media type, digest, size). */
    public Descriptor descriptor() {
        return new Descriptor(mediaType, digest, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestDocument other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
