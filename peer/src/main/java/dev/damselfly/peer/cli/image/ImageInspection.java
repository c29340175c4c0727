package dev.damselfly.peer.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.copy.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code image inspect} found: the root document (manifest or index), the image manifest chosen
 * for a platform (absent when an index has none for the platform asked by default), and its config.
 *
 * @param reference the image as the source names it
 * @param root      the manifest or index the reference points at
 * @param platform  the platform used to pick a manifest from an index; null when the root is a manifest
 * @param manifest  the image manifest shown, if any
 * @param config    the parsed config blob; absent without manifest, or when the config is not JSON
 */
public record ImageInspection(String reference, ManifestDocument root, Platform platform,
        Optional<ManifestDocument> manifest, Optional<JsonNode> config) {

    /** Config blobs larger than this are not read: 16 MiB. */
    public static final int MAX_CONFIG_BYTES = 16 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads the image. With an index: {@code wanted} must be present in it; without {@code wanted} the
     * current platform's manifest is shown when the index has one.
     *
     * @param wanted the platform asked for, or null
     */
    public static ImageInspection read(ImageSource source, Platform wanted) throws IOException {
        ManifestDocument root = source.rootManifest();
        if (!root.isIndex()) {
            return new ImageInspection(source.describe(), root, null, Optional.of(root), readConfig(source, root));
        }
        Platform platform = wanted != null ? wanted : Platform.current();
        Optional<Descriptor> chosen = root.index().select(platform);
        if (chosen.isEmpty()) {
            if (wanted != null) {
                String offered = root.index().manifests().stream()
                        .map(d -> d.platform() == null ? "?" : d.platform().toString())
                        .collect(Collectors.joining(", "));
                throw new RegistryException.NotFoundException(source.describe(),
                        "no manifest for platform " + wanted + " in the index (it has: " + offered + ")");
            }
            return new ImageInspection(source.describe(), root, platform, Optional.empty(), Optional.empty());
        }
        ManifestDocument manifest = source.manifest(chosen.get());
        if (manifest.isIndex()) {
            throw new RegistryException.UnexpectedResponseException(source.describe(), 0,
                    "index entry " + chosen.get().digestText() + " is itself an index (nested indexes are not supported)");
        }
        return new ImageInspection(source.describe(), root, platform, Optional.of(manifest), readConfig(source, manifest));
    }

    private static Optional<JsonNode> readConfig(ImageSource source, ManifestDocument manifest) throws IOException {
        Descriptor config = manifest.manifest().config();
        if (config.size() > MAX_CONFIG_BYTES) {
            return Optional.empty();
        }
        byte[] bytes;
        try (InputStream in = source.openBlob(config)) {
            bytes = in.readAllBytes();
        }
        try {
            JsonNode parsed = JSON.readTree(bytes);
            return parsed != null && parsed.isObject() ? Optional.of(parsed) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // an artifact whose config is not JSON: shown as a descriptor only
        }
    }

    /** Sum of config and layer sizes of the shown manifest, in bytes (as stored, i.e. compressed). */
    public long totalBytes() {
        return manifest.map(m -> m.manifest().config().size() + m.manifest().totalLayerBytes()).orElse(0L);
    }
}
