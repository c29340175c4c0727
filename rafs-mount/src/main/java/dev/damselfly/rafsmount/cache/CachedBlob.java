package dev.damselfly.rafsmount.cache;

import dev.damselfly.rafs.ChunkRef;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

/**
 * One blob's cache files: {@code <id>.blob.data} (chunks decompressed at their uncompressed offsets), its
 * {@link ChunkMap} and its {@link ChunkChecksums}. A chunk's CRC32C is recorded before its ready bit is set. Reads
 * and writes of different chunks run concurrently; {@link #delete} waits for them and makes every later call a
 * miss.
 */
final class CachedBlob {
    /** Size of each thread's buffer for checksumming the cached bytes around a checked range read, bytes (64 KiB). */
    static final int CHECK_BUFFER_BYTES = 64 << 10;
    private static final ThreadLocal<ByteBuffer> CHECK_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CHECK_BUFFER_BYTES));

    private final String blobId;
    private final Path data;
    private final FileChannel channel;
    private final ChunkMap map;
    private final ChunkChecksums sums;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean gone;

    private CachedBlob(String blobId, Path data, FileChannel channel, ChunkMap map, ChunkChecksums sums) {
        this.blobId = blobId;
        this.data = data;
        this.channel = channel;
        this.map = map;
        this.sums = sums;
    }

    static Path dataFile(Path dir, String blobId) {
        return dir.resolve(blobId + ".blob.data");
    }

    static Path mapFile(Path dir, String blobId) {
        return dir.resolve(blobId + ".blob.data.chunk_map");
    }

    /** Opens (or creates) the cache files of {@code blobId}; an invalid chunk map discards the cached data. */
    static CachedBlob open(Path dir, String blobId, long chunkCount) throws IOException {
        Path data = dataFile(dir, blobId);
        ChunkMap map = ChunkMap.openOrCreate(mapFile(dir, blobId), chunkCount);
        if (map == null) {
            Files.deleteIfExists(data);
            map = ChunkMap.openOrCreate(mapFile(dir, blobId), chunkCount);
        } else if (!Files.exists(data) && map.readyCount() > 0) {
            map.close();
            Files.delete(mapFile(dir, blobId));
            map = ChunkMap.openOrCreate(mapFile(dir, blobId), chunkCount);
        }
        ChunkChecksums sums = ChunkChecksums.openOrCreate(ChunkChecksums.file(dir, blobId), chunkCount);
        FileChannel ch = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new CachedBlob(blobId, data, ch, map, sums);
    }

    String blobId() {
        return blobId;
    }

    long readyChunks() {
        return map.readyCount();
    }

    /** Apparent size of the data file (an upper bound of the bytes it holds). */
    long dataFileSize() throws IOException {
        return channel.size();
    }

    /** The cached bytes of {@code c}, or null when not cached. */
    byte[] get(ChunkRef c) throws IOException {
        return get(c, 0, (int) c.uncompressedSize());
    }

    /** Bytes {@code [from, from + length)} of the cached chunk {@code c} (chunk-relative), or null when not cached. */
    byte[] get(ChunkRef c, int from, int length) throws IOException {
        lock.readLock().lock();
        try {
            if (gone || !map.isReady(c.chunkIndex())) {
                return null;
            }
            ByteBuffer buf = ByteBuffer.allocate(length);
            readFully(buf, c.uncompressedOffset() + from);
            return buf.array();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The cached bytes of {@code c} checked against the CRC32C recorded when they were written, or null when not cached. */
    CachedChunk getChecked(ChunkRef c) throws IOException {
        byte[] bytes = get(c);
        if (bytes == null) {
            return null;
        }
        return new CachedChunk(bytes, integrity(sums.check(c.chunkIndex(), bytes, 0, bytes.length)));
    }

    /**
     * Reads bytes {@code [from, from + dst.remaining())} of the cached chunk {@code c} (chunk-relative) into
     * {@code dst} and checks the whole chunk against the CRC32C recorded when it was written: the bytes before and
     * after that range are read through a small per-thread buffer ({@link #CHECK_BUFFER_BYTES}) for the checksum
     * only, so no chunk-sized array is made. Null, with {@code dst}'s content unspecified, when the chunk is not
     * cached; {@code dst}'s position is left as it was, and its bytes may only be used when the result is
     * {@link CachedChunk.Integrity#INTACT}.
     */
    CachedChunk.Integrity readChecked(ChunkRef c, int from, ByteBuffer dst) throws IOException {
        lock.readLock().lock();
        try {
            if (gone || !map.isReady(c.chunkIndex())) {
                return null;
            }
            CRC32C crc = new CRC32C();
            long start = c.uncompressedOffset();
            int wanted = dst.remaining();
            checksumOnly(crc, start, from);
            ByteBuffer into = dst.duplicate();
            readFully(into, start + from);
            crc.update(dst.duplicate());
            checksumOnly(crc, start + from + wanted, c.uncompressedSize() - from - wanted);
            return integrity(sums.check(c.chunkIndex(), (int) crc.getValue()));
        } finally {
            lock.readLock().unlock();
        }
    }

    private static CachedChunk.Integrity integrity(ChunkChecksums.Status status) {
        return switch (status) {
            case MATCH -> CachedChunk.Integrity.INTACT;
            case MISMATCH -> CachedChunk.Integrity.CORRUPT;
            case UNKNOWN -> CachedChunk.Integrity.UNCHECKED;
        };
    }

    /** Adds the {@code length} bytes of the data file at {@code pos} to {@code crc}, through {@link #CHECK_BUFFER}. */
    private void checksumOnly(CRC32C crc, long pos, long length) throws IOException {
        ByteBuffer buf = CHECK_BUFFER.get();
        while (length > 0) {
            buf.clear().limit((int) Math.min(buf.capacity(), length));
            readFully(buf, pos);
            buf.flip();
            crc.update(buf);
            pos += buf.limit();
            length -= buf.limit();
        }
    }

    /** Fills {@code dst} from the data file at {@code pos}; a ready chunk past the file's end is an error. */
    private void readFully(ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new EOFException(data + ": ready chunk data at " + pos + " runs past the end of the cache file");
            }
            pos += n;
        }
    }

    /**
     * Reads bytes {@code [from, from + dst.remaining())} of the cached chunk {@code c} (chunk-relative) into
     * {@code dst} with positional reads (a direct buffer receives them without a copy through the heap). Returns
     * false, reading nothing, when the chunk is not cached.
     */
    boolean read(ChunkRef c, int from, ByteBuffer dst) throws IOException {
        lock.readLock().lock();
        try {
            if (gone || !map.isReady(c.chunkIndex())) {
                return false;
            }
            readFully(dst, c.uncompressedOffset() + from);
            return true;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Records the CRC32C of {@code bytes} as chunk {@code c}'s (for a chunk cached without one, once verified). */
    void recordChecksum(ChunkRef c, byte[] bytes) {
        lock.readLock().lock();
        try {
            if (!gone && map.isReady(c.chunkIndex())) {
                sums.record(c.chunkIndex(), ChunkChecksums.crc(bytes, 0, bytes.length));
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean isReady(ChunkRef c) {
        lock.readLock().lock();
        try {
            return !gone && map.isReady(c.chunkIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Writes {@code bytes} of chunk {@code c}, then marks it ready; false if it already was (nothing written). */
    boolean put(ChunkRef c, byte[] bytes) throws IOException {
        lock.readLock().lock();
        try {
            if (gone || map.isReady(c.chunkIndex())) {
                return false;
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long pos = c.uncompressedOffset();
            while (buf.hasRemaining()) {
                pos += channel.write(buf, pos);
            }
            sums.record(c.chunkIndex(), ChunkChecksums.crc(bytes, 0, bytes.length));
            return map.setReady(c.chunkIndex());
        } finally {
            lock.readLock().unlock();
        }
    }

    void clear(ChunkRef c) {
        lock.readLock().lock();
        try {
            if (!gone) {
                map.clear(c.chunkIndex());
                sums.clear(c.chunkIndex());
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Closes the files, keeping them on disk. */
    void close() throws IOException {
        lock.writeLock().lock();
        try {
            if (!gone) {
                gone = true;
                channel.force(false);
                channel.close();
                map.close();
                sums.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Closes and deletes both files (eviction). */
    void delete(Path dir) throws IOException {
        close();
        Files.deleteIfExists(mapFile(dir, blobId));
        Files.deleteIfExists(ChunkChecksums.file(dir, blobId));
        Files.deleteIfExists(data);
    }
}
