package dev.damselfly.rafs.tar;

/** An entry type a layer cannot hold (GNU sparse files, sockets, unknown typeflags) or a value out of range. */
public class UnsupportedTarEntryException extends TarEntryException {
    public UnsupportedTarEntryException(String entry, long offset, String reason) {
        super(entry, offset, reason);
    }
}
