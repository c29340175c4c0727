package dev.damselfly.rafs.build;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * New chunks of prefetch-listed files, held back so that the builder appends them together at the end of the blob's
 * chunk data (one contiguous region a mount can read in a few large requests) instead of where the tar had them.
 * Stored chunk bytes stay in memory up to {@link #MEMORY_LIMIT_BYTES}, the rest goes to a temporary file beside the
 * blob being written, which {@link #close()} deletes. Every place that refers to a held-back chunk is recorded and patched once it has its
 * chunk-info index.
 */
final class DeferredChunks implements Closeable {
    /** Stored (compressed) bytes kept on the heap before spilling to a temporary file: 32 MiB. */
    static final long MEMORY_LIMIT_BYTES = 32L << 20;

    /** One held-back chunk: what {@code ChunkList.add} needs, and where its stored bytes are. */
    record Chunk(ByteBuffer key, byte[] digest, int length, boolean compressed, int stored, int crc, long fileOffset,
                 byte[] inMemory, long spillOffset) {
    }

    /** A slot of a file's chunk-index array that must receive a held-back chunk's final index. */
    private record Patch(int[] ids, int slot, int chunk) {
    }

    private final List<Chunk> chunks = new ArrayList<>();
    private final Map<ByteBuffer, Integer> byKey = new HashMap<>();
    private final List<Patch> patches = new ArrayList<>();
    private final Path spillDirectory;
    private final long memoryLimitBytes;
    private long memoryBytes;
    private Path spillFile;
    private FileChannel spill;

    /** @param spillDirectory where the temporary file goes if one is needed (the blob's directory) */
    DeferredChunks(Path spillDirectory) {
        this(spillDirectory, MEMORY_LIMIT_BYTES);
    }

    /** @param memoryLimitBytes stored bytes kept on the heap before spilling (bytes) */
    DeferredChunks(Path spillDirectory, long memoryLimitBytes) {
        this.spillDirectory = spillDirectory;
        this.memoryLimitBytes = memoryLimitBytes;
    }

    int size() {
        return chunks.size();
    }

    /** The position of the held-back chunk with this (digest, length) key, or -1. */
    int find(ByteBuffer key) {
        return byKey.getOrDefault(key, -1);
    }

    /** Holds back a new chunk; returns its position. {@code bytes[offset, offset + stored)} are copied. */
    int add(ByteBuffer key, byte[] digest, int length, boolean compressed, byte[] bytes, int offset, int stored, int crc,
            long fileOffset) throws IOException {
        byte[] copy = null;
        long spillOffset = -1;
        if (memoryBytes + stored <= memoryLimitBytes) {
            copy = Arrays.copyOfRange(bytes, offset, offset + stored);
            memoryBytes += stored;
        } else {
            if (spill == null) {
                spillFile = Files.createTempFile(spillDirectory, ".prefetch-chunks-", ".tmp");
                spill = FileChannel.open(spillFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            spillOffset = spill.size();
            ByteBuffer src = ByteBuffer.wrap(bytes, offset, stored).slice();
            while (src.hasRemaining()) {
                spill.write(src, spillOffset + src.position());
            }
        }
        chunks.add(new Chunk(key, digest, length, compressed, stored, crc, fileOffset, copy, spillOffset));
        byKey.put(key, chunks.size() - 1);
        return chunks.size() - 1;
    }

    /** Records that {@code ids[slot]} refers to held-back chunk {@code chunk}. */
    void refer(int[] ids, int slot, int chunk) {
        patches.add(new Patch(ids, slot, chunk));
    }

    /** The held-back chunks in the order they were added. */
    List<Chunk> chunks() {
        return chunks;
    }

    /** The stored bytes of {@code c}. */
    byte[] bytes(Chunk c) throws IOException {
        if (c.inMemory() != null) {
            return c.inMemory();
        }
        ByteBuffer dst = ByteBuffer.allocate(c.stored());
        while (dst.hasRemaining()) {
            if (spill.read(dst, c.spillOffset() + dst.position()) < 0) {
                throw new IOException("prefetch chunk spool " + spillFile + " ends at " + (c.spillOffset() + dst.position()));
            }
        }
        return dst.array();
    }

    /** Writes each held-back chunk's final index into every slot that refers to it. */
    void patch(int[] finalIndex) {
        for (Patch p : patches) {
            p.ids()[p.slot()] = finalIndex[p.chunk()];
        }
    }

    /** The spool file while one exists (for tests), else null. */
    Path spillFile() {
        return spill == null ? null : spillFile;
    }

    @Override
    public void close() throws IOException {
        if (spill != null) {
            spill.close();
            spill = null;
            Files.deleteIfExists(spillFile);
        }
    }
}
