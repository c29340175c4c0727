package dev.damselfly.peer.convert;

/** Media types and annotations of Nydus images in registries (Nydus spec §4.1). */
public final class NydusFormat {
    /** Media type of a Nydus data blob layer. */
    public static final String BLOB_MEDIA_TYPE = "application/vnd.oci.image.layer.nydus.blob.v1";
    /** Annotation marking a blob layer. */
    public static final String BLOB_ANNOTATION = "containerd.io/snapshot/nydus-blob";
    /** Annotation marking the bootstrap layer. */
    public static final String BOOTSTRAP_ANNOTATION = "containerd.io/snapshot/nydus-bootstrap";
    /** Annotation naming the RAFS version of the bootstrap ("6"). */
    public static final String FS_VERSION_ANNOTATION = "containerd.io/snapshot/nydus-fs-version";
    /** Path of the bootstrap inside the bootstrap layer tar. */
    public static final String BOOTSTRAP_PATH = "image/image.boot";

    private NydusFormat() {
    }
}
