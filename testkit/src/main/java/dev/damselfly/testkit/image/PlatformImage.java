package dev.damselfly.testkit.image;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One single-platform image of a generated layout.
 *
 * @param platform       its platform
 * @param manifestDigest {@code sha256:HEX} of {@code manifestBytes}
 * @param manifestBytes  the OCI image manifest exactly as stored
 * @param configDigest   {@code sha256:HEX} of {@code configBytes}
 * @param configBytes    the OCI image config exactly as stored
 * @param layers         layer descriptors in manifest order
 * @param diffIds        {@code rootfs.diff_ids} in order
 */
public record PlatformImage(
        Platform platform,
        String manifestDigest,
        byte[] manifestBytes,
        String configDigest,
        byte[] configBytes,
        List<LayerDescriptor> layers,
        List<String> diffIds) {

    // Copies the lists.
    public PlatformImage {
        layers = List.copyOf(layers);
        diffIds = List.copyOf(diffIds);
    }

    /** @return the manifest as a string */
    public String manifestJson() {
        return new String(manifestBytes, StandardCharsets.UTF_8);
    }

    /** @return the config as a string */
    public String configJson() {
        return new String(configBytes, StandardCharsets.UTF_8);
    }

    /** @return the layer digests in manifest order */
    public List<String> layerDigests() {
        return layers.stream().map(LayerDescriptor::digest).toList();
    }
}
