package dev.damselfly.testkit.image;

/** The OCI media types the generator writes. */
public final class OciMediaTypes {

    /** {@value} */
    public static final String IMAGE_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** {@value} */
    public static final String IMAGE_INDEX = "application/vnd.oci.image.index.v1+json";
    /** {@value} */
    public static final String IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json";
    /** {@value} */
    public static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    /** {@value} */
    public static final String LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** Annotation carrying the tag in an OCI layout's {@code index.json}: {@value}. */
    public static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

    private OciMediaTypes() {
    }
}
