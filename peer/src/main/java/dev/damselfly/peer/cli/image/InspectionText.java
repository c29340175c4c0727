package dev.damselfly.peer.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.peer.units.ByteSize;
import java.util.Locale;

/**
 * {@code image inspect} for people:
 *
 * <pre>
 * reference   docker.io/library/busybox:latest
 * index       sha256:... (application/vnd.oci.image.index.v1+json, 1.6 KiB)
 *   linux/amd64      sha256:...  610 B
 * manifest    sha256:... (application/vnd.oci.image.manifest.v1+json, 610 B) for linux/amd64
 * config      sha256:... (1.4 KiB)
 *   platform    linux/amd64
 *   ...
 * layers      1, 2.1 MiB
 *   sha256:...  application/vnd.oci.image.layer.v1.tar+gzip  2212345  2.1 MiB
 * total       2.1 MiB (config and layers as stored)
 * </pre>
 */
public final class InspectionText {
    private InspectionText() {
    }

    public static String render(ImageInspection inspection) {
        StringBuilder out = new StringBuilder();
        ManifestDocument root = inspection.root();
        line(out, "reference", inspection.reference());
        if (root.isIndex()) {
            line(out, "index", documentSummary(root));
            int width = root.index().manifests().stream().mapToInt(d -> platformName(d).length()).max().orElse(0);
            for (Descriptor entry : root.index().manifests()) {
                out.append("  ").append(padRight(platformName(entry), width)).append("  ").append(entry.digestText())
                        .append("  ").append(ByteSize.format(entry.size())).append('\n');
            }
        }
        if (inspection.manifest().isEmpty()) {
            line(out, "manifest", "none for " + inspection.platform() + " (choose one with --platform)");
            return out.toString();
        }
        ManifestDocument shown = inspection.manifest().get();
        ImageManifest manifest = shown.manifest();
        line(out, "manifest", documentSummary(shown) + (root.isIndex() ? " for " + inspection.platform() : ""));
        line(out, "config", manifest.config().digestText() + " (" + ByteSize.format(manifest.config().size()) + ")");
        inspection.config().ifPresentOrElse(config -> configLines(out, config),
                () -> out.append("  (not a JSON image config: ").append(manifest.config().mediaType()).append(")\n"));
        line(out, "layers", manifest.layers().size() + ", " + ByteSize.format(manifest.totalLayerBytes()));
        for (Descriptor layer : manifest.layers()) {
            out.append("  ").append(layer.digestText()).append("  ").append(layer.mediaType()).append("  ")
                    .append(layer.size()).append("  ").append(ByteSize.format(layer.size())).append('\n');
        }
        line(out, "total", ByteSize.format(inspection.totalBytes()) + " (config and layers as stored)");
        return out.toString();
    }

    private static void configLines(StringBuilder out, JsonNode config) {
        String os = config.path("os").asText("?");
        String arch = config.path("architecture").asText("?");
        String variant = config.path("variant").asText("");
        subLine(out, "platform", os + "/" + arch + (variant.isEmpty() ? "" : "/" + variant));
        subLine(out, "created", config.path("created").asText("-"));
        JsonNode runtime = config.path("config");
        subLine(out, "entrypoint", compact(runtime.path("Entrypoint")));
        subLine(out, "cmd", compact(runtime.path("Cmd")));
        int env = runtime.path("Env").size();
        subLine(out, "env", env + (env == 1 ? " variable" : " variables"));
        JsonNode diffIds = config.path("rootfs").path("diff_ids");
        subLine(out, "diff_ids", Integer.toString(diffIds.size()));
        for (JsonNode diffId : diffIds) {
            out.append("    ").append(diffId.asText()).append('\n');
        }
    }

    private static String documentSummary(ManifestDocument document) {
        return document.digest() + " (" + document.mediaType() + ", " + ByteSize.format(document.size()) + ")";
    }

    private static String platformName(Descriptor entry) {
        return entry.platform() == null ? "(no platform)" : entry.platform().toString();
    }

    private static String compact(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? "-" : node.toString();
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(String.format(Locale.ROOT, "%-11s %s\n", key, value));
    }

    private static void subLine(StringBuilder out, String key, String value) {
        out.append(String.format(Locale.ROOT, "  %-11s %s\n", key, value));
    }

    private static String padRight(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
