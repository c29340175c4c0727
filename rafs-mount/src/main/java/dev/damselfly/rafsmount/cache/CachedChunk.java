package dev.damselfly.rafsmount.cache;

/**
 * A chunk's bytes read back from the {@link BlobCache}, with the result of the cache's own integrity check.
 *
 * @param data      the chunk's decompressed bytes as stored
 * @param integrity whether they are the bytes that were written (verified against the chunk digest then)
 */
public record CachedChunk(byte[] data, Integrity integrity) {
    /** Outcome of comparing the bytes with the CRC32C recorded when they were written. */
    public enum Integrity {
        /** The CRC32C matches: these are the verified bytes that were written. */
        INTACT,
        /** The CRC32C differs: the bytes changed on disk since; never serve them. */
        CORRUPT,
        /** No CRC32C was recorded (cached by an older version): check them against the chunk digest. */
        UNCHECKED
    }
}
