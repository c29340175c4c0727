package dev.damselfly.rafsmount.read;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The verified bytes of the chunks delivered last, bounded in bytes (least recently used leave first). The
 * kernel asks a FUSE file system for at most {@link #FUSE_READ_BYTES} at a time, so a reader going through a
 * 1 MiB chunk comes back for it eight times in a row; the first request verifies the whole chunk (fetched from a
 * source, or read back from the blob cache and checked), and the seven after it are answered from here instead of
 * reading the blob cache again (or, without a blob cache, fetching the chunk again). Only chunks larger than one
 * such read are kept: a smaller one is answered whole by its first request and then lives in the kernel's page
 * cache of the file. The arrays are shared and never written to. Thread-safe.
 *
 * @param <K> what names a chunk
 */
final class RecentChunks<K> {
    /**
     * Default bound, bytes: 16 MiB (sixteen 1 MiB chunks: a reader needs one at a time, so this serves as many files
     * read at once by all the mounts of a process; small beside a node's default 256 MiB heap).
     */
    static final long DEFAULT_BYTES = 16L << 20;
    /** The largest read the kernel sends a FUSE file system without {@code max_pages} (libfuse 2), bytes: 128 KiB. */
    static final int FUSE_READ_BYTES = 128 << 10;

    /** Least recently used first; guarded by {@code this}. */
    private final LinkedHashMap<K, byte[]> chunks = new LinkedHashMap<>(16, 0.75f, true);
    private final long maxBytes;
    private long heldBytes;

    /** @param maxBytes bytes of chunk data held at most; 0 keeps nothing */
    RecentChunks(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The verified bytes of chunk {@code key}, or null when they are not held. */
    synchronized byte[] get(K key) {
        return chunks.get(key);
    }

    /**
     * Keeps {@code verified} (a chunk's whole, checked bytes) when it is larger than one FUSE read and fits, dropping
     * the least recently used chunks to stay within the bound.
     */
    synchronized void offer(K key, byte[] verified) {
        if (verified.length <= FUSE_READ_BYTES || verified.length > maxBytes) {
            return;
        }
        byte[] old = chunks.put(key, verified);
        heldBytes += verified.length - (old == null ? 0 : old.length);
        Iterator<byte[]> eldest = chunks.values().iterator();
        while (heldBytes > maxBytes) {
            heldBytes -= eldest.next().length;
            eldest.remove();
        }
    }

    /** Forgets chunk {@code key}. */
    synchronized void invalidate(K key) {
        byte[] old = chunks.remove(key);
        if (old != null) {
            heldBytes -= old.length;
        }
    }

    /** Bytes held now. */
    synchronized long heldBytes() {
        return heldBytes;
    }
}
