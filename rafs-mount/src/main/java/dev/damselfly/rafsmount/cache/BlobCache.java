package dev.damselfly.rafsmount.cache;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of cached, verified, decompressed chunks keyed by blob id and chunk index (§5.3 layout, plus a
 * damselfly {@code <id>.blob.data.crc32c} file with each chunk's CRC32C, see {@link ChunkChecksums}),
 * bounded to {@code maxBytes}. Space is accounted per blob as an upper bound of what its data file holds
 * (ready chunks × chunk size, at most the file's apparent size); when a new chunk would exceed the bound,
 * whole blobs other than the one being written are evicted, least recently used first, and if that is not
 * enough the chunk is simply not cached. One {@code BlobCache} per directory: a lock file keeps other
 * processes and mounts out. Thread-safe.
 */
public final class BlobCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCache.class);
    /** Name of the lock file inside the cache directory. */
    public static final String LOCK_FILE = ".damselfly-cache.lock";

    private final Path dir;
    private final long maxBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Per blob id: accounted bytes and last use; guarded by {@code this}. */
    private final Map<String, Usage> usage = new HashMap<>();
    private final Map<String, CachedBlob> open = new HashMap<>();
    private long usedBytes;
    private long clock;
    private boolean closed;

    private static final class Usage {
        long bytes;
        long lastUse;
    }

    private BlobCache(Path dir, long maxBytes, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) the cache in {@code dir}, keeping at most {@code maxBytes} bytes of chunk
     * data in it.
     *
     * @throws CacheBusyException when another process or mount uses the directory
     */
    public static BlobCache open(Path dir, long maxBytes) throws IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new CacheBusyException(dir);
        }
        BlobCache cache = new BlobCache(dir, maxBytes, ch, lock);
        cache.scan();
        return cache;
    }

    /** Accounts the blobs already on disk (their data files' apparent sizes, oldest first by mtime). */
    private void scan() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.blob.data")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - ".blob.data".length());
                if (!isBlobId(id)) {
                    continue;
                }
                Usage u = new Usage();
                u.bytes = Files.size(f);
                u.lastUse = -Files.getLastModifiedTime(f).toMillis(); // older files sort first, all before this session
                usage.put(id, u);
                usedBytes += u.bytes;
            }
        }
        clock = 0;
        LOG.info("blob cache {} opened: {} blobs, about {} bytes of {} allowed", dir, usage.size(), usedBytes, maxBytes);
    }

    public Path directory() {
        return dir;
    }

    /** Bound on cached chunk bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Accounted bytes (an upper bound of the chunk data held). */
    public synchronized long usedBytes() {
        return usedBytes;
    }

    /** Whether chunks of {@code c} can be cached: a Nydus blob id, a known chunk count and a valid chunk index. */
    public static boolean cacheable(BlobInfo blob, ChunkRef c) {
        return !c.hole() && blob.chunkCount() > 0 && c.chunkIndex() >= 0 && c.chunkIndex() < blob.chunkCount()
                && isBlobId(blob.blobId());
    }

    /**
     * Whether {@code id} is a Nydus blob id, 64 lowercase hex digits; without a regex: this runs on
     * every cached read, where a matcher per call cost about 1.4% of a worker's CPU.
     */
    static boolean isBlobId(String id) {
        if (id.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char ch = id.charAt(i);
            if ((ch < '0' || ch > '9') && (ch < 'a' || ch > 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The cached bytes of chunk {@code c} (decompressed, verified when they were stored), or null. */
    public byte[] get(BlobInfo blob, ChunkRef c) throws IOException {
        if (!cacheable(blob, c)) {
            return null;
        }
        CachedBlob b = blob(blob, false);
        return b == null ? null : b.get(c);
    }

    /**
     * Bytes {@code [from, from + length)} (relative to the chunk) of cached chunk {@code c}, or null. For readers
     * that verified the whole chunk before.
     */
    public byte[] getRange(BlobInfo blob, ChunkRef c, int from, int length) throws IOException {
        if (!cacheable(blob, c) || from < 0 || length < 0 || from + (long) length > c.uncompressedSize()) {
            return null;
        }
        CachedBlob b = blob(blob, false);
        return b == null ? null : b.get(c, from, length);
    }

    /**
     * The cached bytes of chunk {@code c} with the result of the cache's own integrity check (the CRC32C recorded
     * when the verified bytes were written), or null when not cached.
     */
    public CachedChunk getChecked(BlobInfo blob, ChunkRef c) throws IOException {
        if (!cacheable(blob, c)) {
            return null;
        }
        CachedBlob b = blob(blob, false);
        return b == null ? null : b.getChecked(c);
    }

    /**
     * Reads bytes {@code [from, from + dst.remaining())} (relative to the chunk) of cached chunk {@code c} into
     * {@code dst} (positionally, from its position; for a direct buffer without a copy through the heap) and returns
     * the result of the cache's own integrity check of the whole chunk, or null when it is not cached (or the range
     * lies outside the chunk). {@code dst}'s position is left as it was; its bytes may only be used when the result
     * is {@link CachedChunk.Integrity#INTACT}.
     */
    public CachedChunk.Integrity readChecked(BlobInfo blob, ChunkRef c, int from, ByteBuffer dst) throws IOException {
        if (!cacheable(blob, c) || from < 0 || from + (long) dst.remaining() > c.uncompressedSize()) {
            return null;
        }
        CachedBlob b = blob(blob, false);
        return b == null ? null : b.readChecked(c, from, dst);
    }

    /**
     * Reads bytes {@code [from, from + dst.remaining())} (relative to the chunk) of cached chunk {@code c} into
     * {@code dst}, positionally; false (nothing read) when it is not cached. For readers that verified the whole
     * chunk before.
     */
    public boolean readRange(BlobInfo blob, ChunkRef c, int from, ByteBuffer dst) throws IOException {
        if (!cacheable(blob, c) || from < 0 || from + (long) dst.remaining() > c.uncompressedSize()) {
            return false;
        }
        CachedBlob b = blob(blob, false);
        return b != null && b.read(c, from, dst);
    }

    /** Records the CRC32C of {@code data}, the verified bytes of cached chunk {@code c} that had none recorded. */
    public void recordChecksum(BlobInfo blob, ChunkRef c, byte[] data) throws IOException {
        if (cacheable(blob, c) && data.length == c.uncompressedSize()) {
            CachedBlob b = blob(blob, false);
            if (b != null) {
                b.recordChecksum(c, data);
            }
        }
    }

    /** Whether chunk {@code c} is cached (without reading it). */
    public boolean contains(BlobInfo blob, ChunkRef c) throws IOException {
        if (!cacheable(blob, c)) {
            return false;
        }
        CachedBlob b = blob(blob, false);
        return b != null && b.isReady(c);
    }

    /**
     * Stores the verified, decompressed bytes of chunk {@code c} unless they are cached already or do not
     * fit. Returns whether they were written now.
     */
    public boolean put(BlobInfo blob, ChunkRef c, byte[] data) throws IOException {
        if (!cacheable(blob, c) || data.length != c.uncompressedSize()) {
            return false;
        }
        CachedBlob b = blob(blob, true);
        if (b == null || b.isReady(c) || !reserve(blob.blobId(), data.length)) {
            return false;
        }
        if (!b.put(c, data)) {
            release(blob.blobId(), data.length);
            return false;
        }
        return true;
    }

    /** Forgets chunk {@code c} (its cached bytes failed verification). */
    public void invalidate(BlobInfo blob, ChunkRef c) throws IOException {
        if (cacheable(blob, c)) {
            CachedBlob b = blob(blob, false);
            if (b != null) {
                b.clear(c);
            }
        }
    }

    /** The open cache files of {@code info}'s blob; opened on demand, created only when {@code create}. */
    private synchronized CachedBlob blob(BlobInfo info, boolean create) throws IOException {
        if (closed) {
            return null;
        }
        String id = info.blobId();
        CachedBlob b = open.get(id);
        if (b == null && !create && !Files.exists(CachedBlob.dataFile(dir, id))) {
            return null;
        }
        Usage u = usage.computeIfAbsent(id, k -> new Usage());
        u.lastUse = ++clock;
        if (b == null) {
            b = CachedBlob.open(dir, id, info.chunkCount());
            open.put(id, b);
            long estimate = b.dataFileSize();
            if (info.chunkSize() > 0) {
                estimate = Math.min(estimate, b.readyChunks() * info.chunkSize());
            }
            usedBytes += estimate - u.bytes;
            u.bytes = estimate;
        }
        return b;
    }

    private synchronized boolean reserve(String blobId, long bytes) throws IOException {
        while (usedBytes + bytes > maxBytes) {
            String victim = null;
            long oldest = Long.MAX_VALUE;
            for (Map.Entry<String, Usage> e : usage.entrySet()) {
                if (!e.getKey().equals(blobId) && e.getValue().lastUse < oldest) {
                    oldest = e.getValue().lastUse;
                    victim = e.getKey();
                }
            }
            if (victim == null) {
                LOG.debug("blob cache {}: no room for {} more bytes of blob {}", dir, bytes, blobId);
                return false;
            }
            evict(victim);
        }
        usage.get(blobId).bytes += bytes;
        usedBytes += bytes;
        return true;
    }

    private synchronized void release(String blobId, long bytes) {
        Usage u = usage.get(blobId);
        if (u != null) {
            u.bytes -= bytes;
            usedBytes -= bytes;
        }
    }

    private void evict(String blobId) throws IOException {
        Usage u = usage.remove(blobId);
        CachedBlob b = open.remove(blobId);
        if (b != null) {
            b.delete(dir);
        } else {
            Files.deleteIfExists(CachedBlob.mapFile(dir, blobId));
            Files.deleteIfExists(ChunkChecksums.file(dir, blobId));
            Files.deleteIfExists(CachedBlob.dataFile(dir, blobId));
        }
        usedBytes -= u.bytes;
        LOG.info("blob cache {}: evicted blob {} ({} bytes) to stay within {} bytes", dir, blobId, u.bytes, maxBytes);
    }

    /** Flushes and closes every blob and releases the directory lock; the files stay for the next mount. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException first = null;
        for (CachedBlob b : open.values()) {
            try {
                b.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        lock.release();
        lockChannel.close();
        if (first != null) {
            throw first;
        }
    }
}
