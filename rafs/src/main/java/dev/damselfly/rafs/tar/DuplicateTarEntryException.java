package dev.damselfly.rafs.tar;

/** Two entries of one layer for the same path (a directory entry for an implicitly created parent is not one). */
public class DuplicateTarEntryException extends TarEntryException {
    public DuplicateTarEntryException(String entry, long offset, String reason) {
        super(entry, offset, reason);
    }
}
