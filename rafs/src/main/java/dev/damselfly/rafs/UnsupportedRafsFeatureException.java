package dev.damselfly.rafs;

/**
 * A well-formed image using something this reader does not implement (unknown superblock or blob feature
 * bits, EROFS compression, encryption, zran/batch chunks, ...). Distinct from corruption so callers can
 * say "unsupported" rather than "broken".
 */
public final class UnsupportedRafsFeatureException extends RafsFormatException {
    private static final long serialVersionUID = 1L;

    public UnsupportedRafsFeatureException(String input, long offset, String feature) {
        super(input, offset, UNKNOWN, "unsupported: " + feature);
    }

    public UnsupportedRafsFeatureException(String input, long offset, long inode, String feature) {
        super(input, offset, inode, "unsupported: " + feature);
    }
}
