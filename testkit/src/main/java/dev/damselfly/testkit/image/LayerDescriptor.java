package dev.damselfly.testkit.image;

/**
 * A layer as written to the layout and referenced by the manifest.
 *
 * @param mediaType        {@link OciMediaTypes#LAYER_TAR} or {@link OciMediaTypes#LAYER_TAR_GZIP}
 * @param digest           {@code sha256:HEX} of the blob as stored
 * @param size             blob size in bytes as stored
 * @param diffId           {@code sha256:HEX} of the uncompressed tar (the config's rootfs.diff_ids entry)
 * @param uncompressedSize uncompressed tar size in bytes
 */
public record LayerDescriptor(String mediaType, String digest, long size, String diffId, long uncompressedSize) {
}
