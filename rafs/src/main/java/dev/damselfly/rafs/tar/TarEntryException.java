package dev.damselfly.rafs.tar;

import java.io.IOException;

/**
 * A layer tar that cannot be turned into a filesystem tree, naming the offending entry and the offset of its
 * header in the uncompressed tar stream.
 */
public class TarEntryException extends IOException {
    private final String entry;
    private final long offset;

    /**
     * @param entry  the entry's name as stored in the tar (may be null when no entry could be read)
     * @param offset byte offset of the entry in the uncompressed tar stream, -1 if unknown
     * @param reason what is wrong
     */
    public TarEntryException(String entry, long offset, String reason) {
        super(message(entry, offset, reason));
        this.entry = entry;
        this.offset = offset;
    }

    public TarEntryException(String entry, long offset, String reason, Throwable cause) {
        super(message(entry, offset, reason), cause);
        this.entry = entry;
        this.offset = offset;
    }

    private static String message(String entry, long offset, String reason) {
        return (entry == null ? "tar" : "tar entry '" + entry + "'") + (offset >= 0 ? " at offset " + offset : "") + ": " + reason;
    }

    /** The entry's name as stored in the tar, or null. */
    public String entry() {
        return entry;
    }

    /** Offset of the entry in the uncompressed tar stream, or -1. */
    public long offset() {
        return offset;
    }
}
