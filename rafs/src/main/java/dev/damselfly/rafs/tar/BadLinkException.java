package dev.damselfly.rafs.tar;

/**
 * A hard link whose target is not an earlier regular file of the layer, or an entry whose parent path is not
 * a directory.
 */
public class BadLinkException extends TarEntryException {
    public BadLinkException(String entry, long offset, String reason) {
        super(entry, offset, reason);
    }
}
