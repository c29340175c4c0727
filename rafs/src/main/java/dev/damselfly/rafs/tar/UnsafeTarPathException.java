package dev.damselfly.rafs.tar;

/** An entry path or hard-link target that is absolute or climbs out of the layer with {@code ..}. */
public class UnsafeTarPathException extends TarEntryException {
    public UnsafeTarPathException(String entry, long offset, String reason) {
        super(entry, offset, reason);
    }
}
