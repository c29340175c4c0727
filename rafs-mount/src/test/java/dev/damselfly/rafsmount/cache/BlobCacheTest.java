package dev.damselfly.rafsmount.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache alone: byte bound with LRU eviction of whole blobs, persistence, one writer per directory. */
class BlobCacheTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @TempDir
    Path dir;

    private static BlobInfo blob(int index, String id) {
        return new BlobInfo(index, id, 4096, 4, Compression.NONE, DigestAlgorithm.SHA256, 0, 16384, 16384, 0,
                Compression.NONE, 0, 0, 0, new byte[32], new byte[32], 0, 0, 0);
    }

    private static ChunkRef chunk(BlobInfo b, int index, int size) {
        return new ChunkRef(0, b.index(), b.blobId(), index, (long) index * 4096, size, (long) index * 4096, size, false, null, false);
    }

    private static byte[] bytes(int size, int fill) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    @Test
    void evictsLeastRecentlyUsedBlobToStayWithinTheBound() throws Exception {
        BlobInfo a = blob(0, A);
        BlobInfo b = blob(1, B);
        try (BlobCache cache = BlobCache.open(dir, 6000)) {
            assertTrue(cache.put(a, chunk(a, 0, 3000), bytes(3000, 1)));
            assertFalse(cache.put(a, chunk(a, 0, 3000), bytes(3000, 1)), "the same chunk is never stored twice");
            assertTrue(cache.put(b, chunk(b, 1, 2000), bytes(2000, 2)));
            assertTrue(cache.put(b, chunk(b, 2, 2000), bytes(2000, 3)), "fits once blob a is evicted");
            assertNull(cache.get(a, chunk(a, 0, 3000)));
            assertFalse(Files.exists(dir.resolve(A + ".blob.data")));
            assertTrue(cache.usedBytes() <= 6000, "used " + cache.usedBytes());
            assertFalse(cache.put(b, chunk(b, 3, 4096), bytes(4096, 4)), "a blob never evicts itself: the chunk is not cached");
        }
        try (BlobCache cache = BlobCache.open(dir, 6000)) {
            BlobInfo b2 = blob(0, B);
            assertArrayEquals(bytes(2000, 2), cache.get(b2, chunk(b2, 1, 2000)));
            assertArrayEquals(bytes(2000, 3), cache.get(b2, chunk(b2, 2, 2000)));
            assertNull(cache.get(b2, chunk(b2, 3, 4096)));
        }
    }

    @Test
    void oneUserPerDirectory() throws Exception {
        try (BlobCache cache = BlobCache.open(dir, 1 << 20)) {
            assertThrows(CacheBusyException.class, () -> BlobCache.open(dir, 1 << 20));
        }
        BlobCache.open(dir, 1 << 20).close();
    }

    @Test
    void chunksWithoutANydusBlobIdOrIndexAreNotCached() throws Exception {
        BlobInfo plain = new BlobInfo(0, "", 0, 0, Compression.NONE, null, 0, 8192, 8192, 0, Compression.NONE, 0, 0, 0,
                new byte[32], new byte[32], 0, 0, 0);
        ChunkRef c = new ChunkRef(0, 0, "", -1, 0, 100, 0, 100, false, null, false);
        try (BlobCache cache = BlobCache.open(dir, 1 << 20)) {
            assertFalse(cache.put(plain, c, new byte[100]));
            assertNull(cache.get(plain, c));
        }
    }

    /** Only a Nydus blob id names cache files: 64 lowercase hex digits, nothing a path could be made of. */
    @Test
    void blobIdsAreSixtyFourLowercaseHexDigits() {
        String id = "0123456789abcdef".repeat(4);
        assertTrue(BlobCache.isBlobId(id));
        assertFalse(BlobCache.isBlobId(id.substring(1)), "63 digits");
        assertFalse(BlobCache.isBlobId(id + "0"), "65 digits");
        assertFalse(BlobCache.isBlobId(id.toUpperCase(java.util.Locale.ROOT)), "upper case");
        assertFalse(BlobCache.isBlobId("g" + id.substring(1)), "not hex");
        assertFalse(BlobCache.isBlobId("../" + id.substring(3)), "a path");
        assertFalse(BlobCache.isBlobId(id.substring(0, 63) + "/"), "a separator");
        assertFalse(BlobCache.isBlobId(""));
    }
}
