package dev.damselfly.piecestore;

import java.nio.file.Path;

/**
 * The store could not start: its metadata database is unreadable, locked by another process, or was
 * written by an incompatible version. The message names the directory.
 */
public final class StoreOpenException extends PieceStoreException {
    private static final long serialVersionUID = 1L;
    private final Path directory;

    public StoreOpenException(Path directory, String why, Throwable cause) {
        super("cannot open piece store at " + directory + ": " + why, cause);
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }
}
