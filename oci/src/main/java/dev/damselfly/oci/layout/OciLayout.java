package dev.damselfly.oci.layout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/** One OCI image layout directory. Not safe for concurrent writers of {@code index.json}. */
public final class OciLayout {
    /** The annotation that names an image in {@code index.json}. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final String LAYOUT_FILE = "oci-layout";
    private static final String LAYOUT_CONTENT = "{\"imageLayoutVersion\":\"1.0.0\"}";
    private static final int COPY_BUFFER_BYTES = 256 * 1024;

    private final Path root;

    private OciLayout(Path root) {
        this.root = root;
    }

    /** Opens an existing layout; fails when {@code oci-layout} is missing. */
    public static OciLayout open(Path root) throws OciLayoutException {
        if (!Files.isRegularFile(root.resolve(LAYOUT_FILE))) {
            throw new OciLayoutException(root, "not an OCI image layout (no oci-layout file)");
        }
        return new OciLayout(root);
    }

    /** Opens the layout, creating the directory, {@code oci-layout} and an empty index when missing. */
    public static OciLayout createOrOpen(Path root) throws IOException {
        Files.createDirectories(root.resolve("blobs"));
        if (!Files.exists(root.resolve(LAYOUT_FILE))) {
            Files.writeString(root.resolve(LAYOUT_FILE), LAYOUT_CONTENT);
        }
        if (!Files.exists(root.resolve("index.json"))) {
            ObjectNode index = ManifestDocument.JSON.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", MediaTypes.OCI_INDEX);
            index.putArray("manifests");
            writeAtomically(root.resolve("index.json"), ManifestDocument.JSON.writeValueAsBytes(index));
        }
        return new OciLayout(root);
    }

    public Path root() {
        return root;
    }

    public Path blobPath(Digest digest) {
        return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    public boolean hasBlob(Digest digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    /** A verifying stream over a blob ({@code expectedSize} -1 when unknown). */
    public InputStream readBlob(Digest digest, long expectedSize) throws IOException {
        Path path = blobPath(digest);
        if (!Files.isRegularFile(path)) {
            throw new OciLayoutException(root, "blob " + digest + " is missing");
        }
        return new VerifyingInputStream(Files.newInputStream(path), digest, expectedSize, path.toString());
    }

    /** A manifest or index blob, verified. */
    public ManifestDocument readManifest(Descriptor descriptor) throws IOException {
        try (InputStream in = readBlob(descriptor.digest(), descriptor.size())) {
            return ManifestDocument.parse(in.readAllBytes(), descriptor.mediaType(), blobPath(descriptor.digest()).toString());
        }
    }

    /**
     * Writes a blob from a stream: to a temporary file, verified (size and digest), then moved into
     * place. A blob already present is not rewritten (the stream is not read).
     *
     * @return true when written, false when it was already there
     */
    public boolean writeBlob(Digest digest, long size, InputStream data, LongConsumer progress) throws IOException {
        Path target = blobPath(digest);
        if (Files.isRegularFile(target)) {
            return false;
        }
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), ".incoming-" + digest.shortHex(), ".tmp");
        try {
            try (InputStream in = new VerifyingInputStream(data, digest, size, "stream for " + digest);
                 OutputStream out = Files.newOutputStream(temp)) {
                byte[] buffer = new byte[COPY_BUFFER_BYTES];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    progress.accept(n);
                }
            }
            moveIntoPlace(temp, target);
            return true;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Writes a manifest's exact bytes as a blob. */
    public void writeManifest(ManifestDocument document) throws IOException {
        Path target = blobPath(document.digest());
        if (!Files.isRegularFile(target)) {
            Files.createDirectories(target.getParent());
            writeAtomically(target, document.bytes());
        }
    }

    /** The descriptors listed in {@code index.json}. */
    public List<Descriptor> listed() throws IOException {
        JsonNode index = readIndexTree();
        List<Descriptor> result = new ArrayList<>();
        for (JsonNode entry : index.path("manifests")) {
            result.add(ManifestDocument.JSON.treeToValue(entry, Descriptor.class));
        }
        return result;
    }

    /**
     * The image named {@code tag}, or with a null tag the only image of the layout.
     *
     * @throws OciLayoutException when there is no such image, or several and no tag was given
     */
    public Descriptor find(String tag) throws IOException {
        List<Descriptor> listed = listed();
        if (tag == null) {
            if (listed.size() != 1) {
                throw new OciLayoutException(root, "holds " + listed.size() + " images; name one with oci:DIR:TAG");
            }
            return listed.get(0);
        }
        return listed.stream().filter(d -> d.annotations() != null && tag.equals(d.annotations().get(REF_NAME)))
                .findFirst().orElseThrow(() -> new OciLayoutException(root, "no image tagged '" + tag + "'"));
    }

    /** Adds (or replaces, for the same tag) an entry of {@code index.json}. */
    public void addToIndex(Descriptor descriptor, Optional<String> tag) throws IOException {
        ObjectNode index = (ObjectNode) readIndexTree();
        ArrayNode manifests = index.withArray("manifests");
        ArrayNode kept = ManifestDocument.JSON.createArrayNode();
        for (JsonNode entry : manifests) {
            String name = entry.path("annotations").path(REF_NAME).asText(null);
            boolean sameTag = tag.isPresent() && tag.get().equals(name);
            boolean sameUntagged = tag.isEmpty() && name == null && descriptor.digestText().equals(entry.path("digest").asText());
            if (!sameTag && !sameUntagged) {
                kept.add(entry);
            }
        }
        Descriptor entry = descriptor;
        if (tag.isPresent()) {
            Map<String, String> annotations = new HashMap<>(descriptor.annotations() == null ? Map.of() : descriptor.annotations());
            annotations.put(REF_NAME, tag.get());
            entry = descriptor.withAnnotations(annotations);
        }
        kept.add(ManifestDocument.JSON.valueToTree(entry));
        index.set("manifests", kept);
        writeAtomically(root.resolve("index.json"), ManifestDocument.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
    }

    private JsonNode readIndexTree() throws IOException {
        Path file = root.resolve("index.json");
        if (!Files.isRegularFile(file)) {
            throw new OciLayoutException(root, "index.json is missing");
        }
        JsonNode index = ManifestDocument.JSON.readTree(file.toFile());
        if (index == null || !index.isObject()) {
            throw new OciLayoutException(root, "index.json is not a JSON object");
        }
        return index;
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), ".write-", ".tmp");
        try {
            Files.write(temp, bytes);
            moveIntoPlace(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
