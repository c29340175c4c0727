package dev.damselfly.rafs.tar;

/** The tar (or its gzip/zstd wrapping) cannot be parsed: bad header checksum, truncated data, bad PAX record. */
public class CorruptTarException extends TarEntryException {
    public CorruptTarException(String entry, long offset, String reason, Throwable cause) {
        super(entry, offset, reason, cause);
    }
}
