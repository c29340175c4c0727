package dev.damselfly.rafsmount.cache;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * CRC32C of each cached chunk's bytes, taken when the verified bytes were written: the blob cache's own
 * integrity check, a damselfly extension beside nydusd's files ({@code <id>.blob.data.crc32c}; nydusd ignores
 * it). Entry {@code i} is 8 bytes at {@code 8 * i}: the u32 CRC32C (little-endian), then the u32
 * {@link #PRESENT} marker; an entry without the marker is unknown (a chunk cached by an older version, or a write
 * cut short). Memory-mapped; a file of the wrong size is recreated empty. Thread-safe.
 *
 * <p>Why a CRC and not the chunk digest again: the bytes were checked against the image's chunk digest before they
 * were ever written, so what is left to catch is a change since then (a torn write after a crash, a media error, a
 * truncated file, a stray writer). CRC32C catches those at about 20 GB/s instead of BLAKE3's 0.5 GB/s. It does not
 * stop a deliberate forger with write access to the cache directory, and re-hashing did not either: the digests
 * come from the bootstrap, which lives on the same local disk under the same owner.
 */
final class ChunkChecksums implements AutoCloseable {
    /** Bytes per entry: 8. */
    static final int ENTRY = 8;
    /** Marker of a valid entry: "CRCC" (0x43435243 little-endian). */
    static final int PRESENT = 0x43435243;

    /** Result of {@link #check}. */
    enum Status {
        /** The bytes match the recorded CRC32C. */
        MATCH,
        /** The bytes differ from what was written. */
        MISMATCH,
        /** No CRC32C recorded for this chunk. */
        UNKNOWN
    }

    private final long chunkCount;
    private final FileChannel channel;
    private final MappedByteBuffer map;

    private ChunkChecksums(long chunkCount, FileChannel channel, MappedByteBuffer map) {
        this.chunkCount = chunkCount;
        this.channel = channel;
        this.map = map;
    }

    static Path file(Path dir, String blobId) {
        return dir.resolve(blobId + ".blob.data.crc32c");
    }

    /** Opens {@code file} for {@code chunkCount} chunks, creating it (or recreating it empty when its size is wrong). */
    static ChunkChecksums openOrCreate(Path file, long chunkCount) throws IOException {
        long size = chunkCount * ENTRY;
        if (Files.exists(file) && Files.size(file) != size) {
            Files.delete(file);
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            map.order(ByteOrder.LITTLE_ENDIAN);
            return new ChunkChecksums(chunkCount, ch, map);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** CRC32C of {@code data[off, off + len)}. */
    static int crc(byte[] data, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(data, off, len);
        return (int) c.getValue();
    }

    /** Records the CRC32C of chunk {@code chunk}'s bytes. */
    synchronized void record(long chunk, int crc) {
        if (chunk < 0 || chunk >= chunkCount) {
            return;
        }
        int at = Math.toIntExact(chunk * ENTRY);
        map.putInt(at, crc);
        map.putInt(at + 4, PRESENT);
    }

    /** Forgets chunk {@code chunk}'s CRC. */
    synchronized void clear(long chunk) {
        if (chunk >= 0 && chunk < chunkCount) {
            map.putInt(Math.toIntExact(chunk * ENTRY) + 4, 0);
        }
    }

    /** Whether {@code data[off, off + len)} is what was recorded for chunk {@code chunk}. */
    Status check(long chunk, byte[] data, int off, int len) {
        return check(chunk, crc(data, off, len));
    }

    /** Whether {@code crc} (the CRC32C of bytes read back) is what was recorded for chunk {@code chunk}. */
    Status check(long chunk, int crc) {
        Integer recorded = recorded(chunk);
        if (recorded == null) {
            return Status.UNKNOWN;
        }
        return crc == recorded ? Status.MATCH : Status.MISMATCH;
    }

    /** The CRC32C recorded for chunk {@code chunk}, or null when none is. */
    private synchronized Integer recorded(long chunk) {
        if (chunk < 0 || chunk >= chunkCount) {
            return null;
        }
        int at = Math.toIntExact(chunk * ENTRY);
        return map.getInt(at + 4) == PRESENT ? map.getInt(at) : null;
    }

    /** Flushes the entries to disk and closes the file. */
    @Override
    public synchronized void close() throws IOException {
        map.force();
        channel.close();
    }
}
