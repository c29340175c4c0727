package dev.damselfly.rafsmount.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache's own integrity check (CRC32C per chunk, recorded at write) and positional range reads. */
class CacheIntegrityTest {
    private static final String ID = "c".repeat(64);

    @TempDir
    Path dir;

    private static BlobInfo blob() {
        return new BlobInfo(0, ID, 4096, 4, Compression.NONE, DigestAlgorithm.SHA256, 0, 16384, 16384, 0,
                Compression.NONE, 0, 0, 0, new byte[32], new byte[32], 0, 0, 0);
    }

    private static ChunkRef chunk(BlobInfo b, int index) {
        return new ChunkRef(0, b.index(), b.blobId(), index, (long) index * 4096, 4096, (long) index * 4096, 4096, false, null, false);
    }

    private static byte[] random(int seed) {
        byte[] d = new byte[4096];
        new Random(seed).nextBytes(d);
        return d;
    }

    @Test
    void chunksWrittenNowReadBackIntactAcrossReopens() throws Exception {
        BlobInfo b = blob();
        try (BlobCache cache = BlobCache.open(dir, 1 << 20)) {
            assertTrue(cache.put(b, chunk(b, 1), random(1)));
            CachedChunk hit = cache.getChecked(b, chunk(b, 1));
            assertEquals(CachedChunk.Integrity.INTACT, hit.integrity());
            assertArrayEquals(random(1), hit.data());
            assertNull(cache.getChecked(b, chunk(b, 2)), "never cached");
        }
        assertTrue(Files.size(ChunkChecksums.file(dir, ID)) == 4L * ChunkChecksums.ENTRY);
        try (BlobCache cache = BlobCache.open(dir, 1 << 20)) {
            assertEquals(CachedChunk.Integrity.INTACT, cache.getChecked(b, chunk(b, 1)).integrity());
        }
    }

    @Test
    void aChangedByteOnDiskIsReportedCorrupt() throws Exception {
        BlobInfo b = blob();
        try (BlobCache cache = BlobCache.open(dir, 1 << 20)) {
            cache.put(b, chunk(b, 2), random(2));
        }
        try (FileChannel ch = FileChannel.open(CachedBlob.dataFile(dir, ID), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (random(2)[77] ^ 0x10)}), 2 * 4096 + 77);
        }
        try (BlobCache cache = BlobCache.open(dir, 1 << 20)) {
            assertEquals(CachedChunk.Integrity.CORRUPT, cache.getChecked(b, chunk(b, 2)).integrity());
            cache.invalidate(b, chunk(b, 2));
            assertNull(cache.getChecked(b, chunk(b, 2)), "an invalidated chunk is a miss");
            assertTrue(cache.put(b, chunk(b, 2), random(2)), "and is written again");
            assertEquals(CachedChunk.Integrity.INTACT, cache.getChecked(b, chunk(b, 2)).integrity());
        }
    }

    @Test
    void chunksCachedWithoutAChecksumAreUncheckedUntilOneIsRecorded() throws Exception {
        BlobInfo b = blob();
        try (BlobCache cache = BlobCache.open(dir, 1 << 20)) {
            cache.put(b, chunk(b, 0), random(3));
        }
        Files.delete(ChunkChecksums.file(dir, ID)); // as an older version left the cache
        try (BlobCache cache = BlobCache.open(dir, 1 << 20)) {
            CachedChunk hit = cache.getChecked(b, chunk(b, 0));
            assertEquals(CachedChunk.Integrity.UNCHECKED, hit.integrity());
            cache.recordChecksum(b, chunk(b, 0), hit.data());
            assertEquals(CachedChunk.Integrity.INTACT, cache.getChecked(b, chunk(b, 0)).integrity());
        }
    }

    @Test
    void rangeReadsLandInADirectBufferAndMissWhenNotCached() throws Exception {
        BlobInfo b = blob();
        try (BlobCache cache = BlobCache.open(dir, 1 << 20)) {
            cache.put(b, chunk(b, 3), random(4));
            ByteBuffer direct = ByteBuffer.allocateDirect(1000);
            direct.position(10).limit(510);
            assertTrue(cache.readRange(b, chunk(b, 3), 3000, direct));
            assertEquals(510, direct.position());
            byte[] got = new byte[500];
            direct.get(10, got);
            byte[] want = new byte[500];
            System.arraycopy(random(4), 3000, want, 0, 500);
            assertArrayEquals(want, got);
            ByteBuffer past = ByteBuffer.allocateDirect(2000);
            assertFalse(cache.readRange(b, chunk(b, 3), 3000, past), "beyond the chunk's end");
            assertFalse(cache.readRange(b, chunk(b, 1), 0, ByteBuffer.allocateDirect(10)), "not cached");
        }
    }

    /**
     * A checked range read returns the range's bytes and the whole chunk's check: a chunk larger than the per-thread
     * check buffer, with the changed byte before, inside or after the range, is corrupt each time; a chunk without a
     * recorded CRC32C is unchecked; a range outside the chunk or a chunk never cached is null.
     */
    @Test
    void checkedRangeReadsCheckTheWholeChunk() throws Exception {
        int size = 3 * CachedBlob.CHECK_BUFFER_BYTES + 4321;
        String id = "d".repeat(64);
        BlobInfo b = new BlobInfo(0, id, size, 3, Compression.NONE, DigestAlgorithm.SHA256, 0, 3L * size, 3L * size, 0,
                Compression.NONE, 0, 0, 0, new byte[32], new byte[32], 0, 0, 0);
        byte[] bytes = new byte[size];
        new Random(5).nextBytes(bytes);
        ChunkRef c = new ChunkRef(0, 0, id, 1, size, size, size, size, false, null, false);
        int from = CachedBlob.CHECK_BUFFER_BYTES + 100;
        int length = 70_000;
        byte[] want = java.util.Arrays.copyOfRange(bytes, from, from + length);
        try (BlobCache cache = BlobCache.open(dir, 1 << 30)) {
            ByteBuffer dst = ByteBuffer.allocateDirect(length + 8);
            dst.position(8);
            assertNull(cache.readChecked(b, c, from, dst.duplicate()), "not cached yet");
            cache.put(b, c, bytes);
            assertEquals(CachedChunk.Integrity.INTACT, cache.readChecked(b, c, from, dst));
            assertEquals(8, dst.position(), "the position is left as it was");
            byte[] got = new byte[length];
            dst.get(8, got);
            assertArrayEquals(want, got);
            assertEquals(CachedChunk.Integrity.INTACT, cache.readChecked(b, c, 0, ByteBuffer.allocateDirect(size)), "all of it");
            assertNull(cache.readChecked(b, c, size - 10, ByteBuffer.allocate(11)), "past the chunk's end");
        }
        for (int at : new int[] {7, from + 500, size - 1}) {
            try (FileChannel ch = FileChannel.open(CachedBlob.dataFile(dir, id), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {(byte) (bytes[at] ^ 0x01)}), size + at);
            }
            try (BlobCache cache = BlobCache.open(dir, 1 << 30)) {
                assertEquals(CachedChunk.Integrity.CORRUPT, cache.readChecked(b, c, from, ByteBuffer.allocate(length)),
                        "changed byte at " + at);
            }
            try (FileChannel ch = FileChannel.open(CachedBlob.dataFile(dir, id), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {bytes[at]}), size + at);
            }
        }
        Files.delete(ChunkChecksums.file(dir, id)); // as an older version left the cache
        try (BlobCache cache = BlobCache.open(dir, 1 << 30)) {
            assertEquals(CachedChunk.Integrity.UNCHECKED, cache.readChecked(b, c, from, ByteBuffer.allocate(length)));
        }
    }
}
