package dev.damselfly.rafsmount.cache;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The readiness bitmap of one cached blob, in nydusd's {@code chunk_map} file format: a 4096-byte header
 * {u32 magic 0x424D4150, u32 version 1, u32 magic2 0x434D4150, u32 all_ready (0x4D4D4150 when every chunk is
 * cached), zeros} followed by {@code ceil(chunkCount / 8)} bytes; chunk {@code i} is bit {@code 0x80 >> (i % 8)}
 * of byte {@code 4096 + i / 8}. Memory-mapped; bit updates are atomic under this object's lock.
 */
final class ChunkMap implements AutoCloseable {
    static final int HEADER = 4096;
    static final int MAGIC = 0x424D4150;
    static final int VERSION = 1;
    static final int MAGIC2 = 0x434D4150;
    static final int ALL_READY = 0x4D4D4150;

    private final Path file;
    private final long chunkCount;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private long readyCount;

    private ChunkMap(Path file, long chunkCount, FileChannel channel, MappedByteBuffer map) {
        this.file = file;
        this.chunkCount = chunkCount;
        this.channel = channel;
        this.map = map;
        long n = 0;
        for (long i = 0; i < chunkCount; i++) {
            n += isReady(i) ? 1 : 0;
        }
        this.readyCount = n;
    }

    /** Bytes of a chunk map file for {@code chunkCount} chunks. */
    static long fileSize(long chunkCount) {
        return HEADER + (chunkCount + 7) / 8;
    }

    /**
     * Opens {@code file}, or creates it empty. Returns null (after deleting the file) when an existing file is
     * not a valid map for {@code chunkCount} chunks: the caller must then treat the blob's data as unknown.
     */
    static ChunkMap openOrCreate(Path file, long chunkCount) throws IOException {
        long size = fileSize(chunkCount);
        boolean existed = Files.exists(file);
        if (existed && Files.size(file) != size) {
            Files.delete(file);
            return null;
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            map.order(ByteOrder.LITTLE_ENDIAN);
            if (existed) {
                if (map.getInt(0) != MAGIC || map.getInt(4) != VERSION || map.getInt(8) != MAGIC2) {
                    ch.close();
                    Files.delete(file);
                    return null;
                }
            } else {
                map.putInt(0, MAGIC).putInt(4, VERSION).putInt(8, MAGIC2).putInt(12, 0);
            }
            return new ChunkMap(file, chunkCount, ch, map);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    synchronized boolean isReady(long chunk) {
        if (chunk < 0 || chunk >= chunkCount) {
            return false;
        }
        return (map.get(HEADER + (int) (chunk >>> 3)) & (0x80 >>> (chunk & 7))) != 0;
    }

    /** Marks {@code chunk} ready; returns false if it already was. */
    synchronized boolean setReady(long chunk) {
        if (isReady(chunk)) {
            return false;
        }
        int at = HEADER + (int) (chunk >>> 3);
        map.put(at, (byte) (map.get(at) | (0x80 >>> (chunk & 7))));
        if (++readyCount == chunkCount) {
            map.putInt(12, ALL_READY);
        }
        return true;
    }

    /** Clears {@code chunk} (e.g. its cached bytes failed verification). */
    synchronized void clear(long chunk) {
        if (!isReady(chunk)) {
            return;
        }
        int at = HEADER + (int) (chunk >>> 3);
        map.put(at, (byte) (map.get(at) & ~(0x80 >>> (chunk & 7))));
        readyCount--;
        map.putInt(12, 0);
    }

    synchronized long readyCount() {
        return readyCount;
    }

    Path file() {
        return file;
    }

    /** Flushes the map to disk and closes it. */
    @Override
    public synchronized void close() throws IOException {
        map.force();
        channel.close();
    }
}
