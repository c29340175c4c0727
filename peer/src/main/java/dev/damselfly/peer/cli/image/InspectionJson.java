package dev.damselfly.peer.cli.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ManifestDocument;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code image inspect --format json}: one JSON object for scripts.
 *
 * <pre>
 * { "reference", "digest", "mediaType", "size",
 *   "index": [ {"digest", "mediaType", "platform": "os/arch[/variant]" or null, "size"} ],   (index only)
 *   "platform": "os/arch",                                                                  (index only)
 *   "manifest": { "digest", "mediaType", "size", "config": {"digest", "mediaType", "size"},
 *                 "layers": [ {"digest", "mediaType", "size"} ] },                          (when one is shown)
 *   "config": { the config blob as parsed JSON },
 *   "totalSize": config + layer bytes }
 * </pre>
 */
public final class InspectionJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private InspectionJson() {
    }

    public static ObjectNode toJson(ImageInspection inspection) {
        ObjectNode root = JSON.createObjectNode();
        ManifestDocument document = inspection.root();
        root.put("reference", inspection.reference());
        root.put("digest", document.digest().toString());
        root.put("mediaType", document.mediaType());
        root.put("size", document.size());
        if (document.isIndex()) {
            ArrayNode entries = root.putArray("index");
            for (Descriptor entry : document.index().manifests()) {
                ObjectNode item = entries.addObject();
                item.put("digest", entry.digestText());
                item.put("mediaType", entry.mediaType());
                if (entry.platform() == null) {
                    item.putNull("platform");
                } else {
                    item.put("platform", entry.platform().toString());
                }
                item.put("size", entry.size());
            }
            root.put("platform", inspection.platform().toString());
        }
        inspection.manifest().ifPresent(shown -> {
            ImageManifest manifest = shown.manifest();
            ObjectNode node = root.putObject("manifest");
            node.put("digest", shown.digest().toString());
            node.put("mediaType", shown.mediaType());
            node.put("size", shown.size());
            descriptor(node.putObject("config"), manifest.config());
            ArrayNode layers = node.putArray("layers");
            for (Descriptor layer : manifest.layers()) {
                descriptor(layers.addObject(), layer);
            }
        });
        inspection.config().ifPresent(config -> root.set("config", config));
        if (inspection.manifest().isPresent()) {
            root.put("totalSize", inspection.totalBytes());
        }
        return root;
    }

    /** The JSON text, pretty-printed, with a final newline. */
    public static String render(ImageInspection inspection) {
        try {
            return JSON.writeValueAsString(toJson(inspection)) + System.lineSeparator();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON", e);
        }
    }

    private static void descriptor(ObjectNode node, Descriptor descriptor) {
        node.put("digest", descriptor.digestText());
        node.put("mediaType", descriptor.mediaType());
        node.put("size", descriptor.size());
    }
}
