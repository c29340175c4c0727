package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafsmount.source.FileBlobSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk blob cache: survives a remount, serves files with the blobs gone, never fetches a chunk twice. */
class BlobCacheMountTest {
    private static final String LAYER = "/normal-file-test/busybox/1f777dbdd68d1c4d554bc0d20e027bfef9ed2dfe2d8d5f029e958552a0e12475/layer.tar";
    private static final String PASSWD = "/normal-file-test/busybox/1f777dbdd68d1c4d554bc0d20e027bfef9ed2dfe2d8d5f029e958552a0e12475/etc/passwd";
    private static final String GROUP = "/normal-file-test/busybox/1f777dbdd68d1c4d554bc0d20e027bfef9ed2dfe2d8d5f029e958552a0e12475/etc/group";

    @TempDir
    Path tmp;

    @Test
    void secondMountWithoutBlobsReadsWhatTheFirstRead() throws Exception {
        Map<String, String> expected = Fixtures.expectedSha256("sha256-nocompress-repeatable.txt");
        Path blobs = Files.createDirectory(tmp.resolve("blobs"));
        Files.copy(Fixtures.path(Fixtures.V5_BLOBS).resolve(Fixtures.V5_BLOB_ID), blobs.resolve(Fixtures.V5_BLOB_ID));
        Path cache = tmp.resolve("cache");
        Path boot = Fixtures.path(Fixtures.V5_SHA256);
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource files = FileBlobSource.directory(blobs)) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(counting).withCache(cache, 1L << 30))) {
                assertEquals(expected.get(LAYER), Sha256.of(mp.resolve(LAYER.substring(1))));
                assertEquals(expected.get(PASSWD), Sha256.of(mp.resolve(PASSWD.substring(1))));
            }
            assertEquals(3, counting.reads().size(), "one read per chunk: layer.tar (1 MiB + rest) and passwd: " + counting.reads());
        }
        // a fresh mount (no kernel page cache for its inodes) takes both files from the blob cache alone
        try (FileBlobSource files = FileBlobSource.directory(blobs)) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(counting).withCache(cache, 1L << 30))) {
                assertEquals(expected.get(LAYER), Sha256.of(mp.resolve(LAYER.substring(1))));
                assertEquals(expected.get(PASSWD), Sha256.of(mp.resolve(PASSWD.substring(1))));
            }
            assertEquals(List.of(), counting.reads(), "no chunk fetched twice");
        }
        assertTrue(Files.exists(cache.resolve(Fixtures.V5_BLOB_ID + ".blob.data")));
        assertEquals(readyChunksOf(boot, LAYER, PASSWD), readyBits(cache.resolve(Fixtures.V5_BLOB_ID + ".blob.data.chunk_map"), 23),
                "nydusd chunk_map bits = the chunks read");
        try (Stream<Path> s = Files.walk(blobs)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        try (FileBlobSource gone = FileBlobSource.directory(blobs);
             MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(gone).withCache(cache, 1L << 30))) {
            assertEquals(expected.get(LAYER), Sha256.of(mp.resolve(LAYER.substring(1))));
            assertEquals(expected.get(PASSWD), Sha256.of(mp.resolve(PASSWD.substring(1))));
            assertThrows(IOException.class, () -> Files.readAllBytes(mp.resolve(GROUP.substring(1))), "never read, blob gone");
        }
    }

    /** Cached bytes that no longer match their digest are dropped and fetched again, never served. */
    @Test
    void corruptCacheEntryIsRefetched() throws Exception {
        Map<String, String> expected = Fixtures.expectedSha256("sha256-nocompress-repeatable.txt");
        Path boot = Fixtures.path(Fixtures.V5_SHA256);
        Path cache = tmp.resolve("cache");
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS));
             MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(files).withCache(cache, 1L << 30))) {
            assertEquals(expected.get(PASSWD), Sha256.of(mp.resolve(PASSWD.substring(1))));
        }
        long at;
        try (dev.damselfly.rafs.RafsImage image = dev.damselfly.rafs.RafsImages.open(boot)) {
            at = image.chunks(image.resolve(PASSWD).getAsLong()).get(0).uncompressedOffset();
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(cache.resolve(Fixtures.V5_BLOB_ID + ".blob.data"),
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {'#', '#'}), at + 10);
        }
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS))) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(counting).withCache(cache, 1L << 30))) {
                assertEquals(expected.get(PASSWD), Sha256.of(mp.resolve(PASSWD.substring(1))));
            }
            assertEquals(1, counting.reads().size(), counting.reads().toString());
        }
    }

    /**
     * A cache left without CRC32Cs (by an older version) is checked against the chunk digests instead: intact
     * chunks are served without a source read, a changed one is caught by its digest and fetched again.
     */
    @Test
    void cacheWithoutChecksumsIsCheckedAgainstTheChunkDigests() throws Exception {
        Map<String, String> expected = Fixtures.expectedSha256("sha256-nocompress-repeatable.txt");
        Path boot = Fixtures.path(Fixtures.V5_SHA256);
        Path cache = tmp.resolve("cache");
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Path sums = cache.resolve(Fixtures.V5_BLOB_ID + ".blob.data.crc32c");
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS));
             MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(files).withCache(cache, 1L << 30))) {
            assertEquals(expected.get(PASSWD), Sha256.of(mp.resolve(PASSWD.substring(1))));
            assertEquals(expected.get(LAYER), Sha256.of(mp.resolve(LAYER.substring(1))));
        }
        Files.delete(sums);
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS))) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(counting).withCache(cache, 1L << 30))) {
                assertEquals(expected.get(LAYER), Sha256.of(mp.resolve(LAYER.substring(1))));
            }
            assertEquals(0, counting.reads().size(), "intact chunks come from the cache: " + counting.reads());
        }
        assertTrue(Files.exists(sums), "checksums are recorded again");
        Files.delete(sums);
        long at;
        try (dev.damselfly.rafs.RafsImage image = dev.damselfly.rafs.RafsImages.open(boot)) {
            at = image.chunks(image.resolve(PASSWD).getAsLong()).get(0).uncompressedOffset();
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(cache.resolve(Fixtures.V5_BLOB_ID + ".blob.data"),
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {'#', '#'}), at + 10);
        }
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS))) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(counting).withCache(cache, 1L << 30))) {
                assertEquals(expected.get(PASSWD), Sha256.of(mp.resolve(PASSWD.substring(1))));
            }
            assertEquals(1, counting.reads().size(), "the changed chunk is fetched again: " + counting.reads());
        }
    }

    private static java.util.Set<Long> readyChunksOf(Path boot, String... files) throws Exception {
        java.util.Set<Long> out = new java.util.TreeSet<>();
        try (dev.damselfly.rafs.RafsImage image = dev.damselfly.rafs.RafsImages.open(boot)) {
            for (String f : files) {
                for (dev.damselfly.rafs.ChunkRef c : image.chunks(image.resolve(f).getAsLong())) {
                    out.add(c.chunkIndex());
                }
            }
        }
        return out;
    }

    /** Chunk indexes whose bit is set in a nydusd chunk_map file (header checked too). */
    private static java.util.Set<Long> readyBits(Path map, int chunks) throws Exception {
        byte[] b = Files.readAllBytes(map);
        assertEquals(4096 + (chunks + 7) / 8, b.length);
        java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x424D4150, h.getInt(0));
        assertEquals(1, h.getInt(4));
        assertEquals(0x434D4150, h.getInt(8));
        java.util.Set<Long> out = new java.util.TreeSet<>();
        for (int i = 0; i < chunks; i++) {
            if ((b[4096 + i / 8] & (0x80 >>> (i % 8))) != 0) {
                out.add((long) i);
            }
        }
        return out;
    }

    /** A bound smaller than the blob's data: chunks that do not fit are served but not cached. */
    @Test
    void cacheStaysWithinItsBound() throws Exception {
        Map<String, String> expected = Fixtures.expectedSha256("sha256-nocompress-repeatable.txt");
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Path cache = tmp.resolve("cache");
        long bound = 1 << 20;
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS));
             MountHandle m = RafsMount.mount(Fixtures.path(Fixtures.V5_SHA256), mp, MountOptions.of(files).withCache(cache, bound))) {
            for (Map.Entry<String, String> e : expected.entrySet()) {
                assertEquals(e.getValue(), Sha256.of(mp.resolve(e.getKey().substring(1))), e.getKey());
            }
        }
        long onDisk = Long.parseLong(run("du", "-B1", "--apparent-size", "-s", cache.toString()).split("\\s+")[0]);
        long allocated = Long.parseLong(run("du", "-B1", "-s", cache.resolve(Fixtures.V5_BLOB_ID + ".blob.data").toString()).split("\\s+")[0]);
        assertTrue(allocated <= bound + (64 << 10), "allocated " + allocated + " (apparent " + onDisk + ") within " + bound);
        assertTrue(allocated > 0, "something was cached");
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), List.of(cmd) + ": " + out);
        return out;
    }
}
