package dev.damselfly.testkit.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A generated image in an OCI image layout directory. The manifest/config/layer accessors refer to
 * the first platform (linux/amd64); {@link #platforms()} lists all of them.
 *
 * @param layoutDir   the OCI layout directory ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/})
 * @param tag         the {@code org.opencontainers.image.ref.name} in {@code index.json}
 * @param platforms   the single-platform images, first is linux/amd64
 * @param indexDigest digest of the multi-platform image index blob, or {@code null}
 * @param indexBytes  the image index exactly as stored, or {@code null}
 */
public record TestImage(Path layoutDir, String tag, List<PlatformImage> platforms, String indexDigest, byte[] indexBytes) {

    // Copies the list.
    public TestImage {
        platforms = List.copyOf(platforms);
    }

    private PlatformImage primary() {
        return platforms.get(0);
    }

    /** @return digest of the (first platform's) image manifest */
    public String manifestDigest() {
        return primary().manifestDigest();
    }

    /** @return the (first platform's) image manifest bytes */
    public byte[] manifestBytes() {
        return primary().manifestBytes();
    }

    /** @return {@link OciMediaTypes#IMAGE_MANIFEST} */
    public String manifestMediaType() {
        return OciMediaTypes.IMAGE_MANIFEST;
    }

    /** @return digest of the (first platform's) config */
    public String configDigest() {
        return primary().configDigest();
    }

    /** @return the (first platform's) config bytes */
    public byte[] configBytes() {
        return primary().configBytes();
    }

    /** @return the (first platform's) layers in manifest order */
    public List<LayerDescriptor> layers() {
        return primary().layers();
    }

    /** @return the (first platform's) diff_ids */
    public List<String> diffIds() {
        return primary().diffIds();
    }

    /** @return the image index digest when multi-platform */
    public Optional<String> index() {
        return Optional.ofNullable(indexDigest);
    }

    /** @return what the tag points to: the index digest if any, else the manifest digest */
    public String referenceDigest() {
        return indexDigest != null ? indexDigest : manifestDigest();
    }

    /**
     * @param digest {@code sha256:HEX}
     * @return {@code layoutDir/blobs/sha256/HEX}
     */
    public Path blobPath(String digest) {
        int colon = digest.indexOf(':');
        return layoutDir.resolve("blobs").resolve(digest.substring(0, colon)).resolve(digest.substring(colon + 1));
    }

    /** @return sum of the (first platform's) layer blob sizes in bytes */
    public long totalLayerSize() {
        return layers().stream().mapToLong(LayerDescriptor::size).sum();
    }
}
