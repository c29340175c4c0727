package dev.damselfly.testkit.image;

/** How generated layers are stored. */
public enum LayerCompression {
    /** Plain tar, {@link OciMediaTypes#LAYER_TAR}; digest equals diff_id. */
    NONE(OciMediaTypes.LAYER_TAR),
    /** gzip, {@link OciMediaTypes#LAYER_TAR_GZIP} (level 6; the large random layer uses level 0, stored blocks). */
    GZIP(OciMediaTypes.LAYER_TAR_GZIP);

    private final String mediaType;

    LayerCompression(String mediaType) {
        this.mediaType = mediaType;
    }

    /** @return the layer media type */
    public String mediaType() {
        return mediaType;
    }
}
