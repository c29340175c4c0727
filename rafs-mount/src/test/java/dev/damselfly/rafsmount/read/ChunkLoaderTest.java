package dev.damselfly.rafsmount.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.damselfly.rafs.ChunkDigestMismatchException;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.rafsmount.source.BlobSource;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read path without FUSE: retry once from the next source, fail with the chunk named. */
class ChunkLoaderTest {
    private static final String BOOT = "dragonflyoss-nydus/tests/texture/bootstrap/rafs-v6-2.2.boot";
    private static final String BLOB_ID = "be7d77eeb719f70884758d1aa800ed0fb09d701aaec469964e9d54325f0d5fef";
    private static final String BLOBS = "dragonflyoss-nydus/tests/texture/blobs";

    @TempDir
    Path tmp;

    /** A real source over a directory, counting its reads. */
    private static class Counted implements BlobSource {
        final FileBlobSource files;
        final AtomicInteger reads = new AtomicInteger();

        Counted(Path dir) {
            files = FileBlobSource.directory(dir);
        }

        @Override
        public String name() {
            return files.name();
        }

        @Override
        public byte[] read(String blobId, long offset, int length) throws IOException {
            reads.incrementAndGet();
            return files.read(blobId, offset, length);
        }
    }

    @Test
    void corruptFirstSourceFallsBackToTheNextOne() throws Exception {
        Path fixtures = fixtures();
        Path bad = corruptCopy(fixtures);
        try (RafsImage image = RafsImages.open(fixtures.resolve(BOOT))) {
            Counted first = new Counted(bad);
            Counted second = new Counted(fixtures.resolve(BLOBS));
            ChunkLoader loader = new ChunkLoader(image, List.of(first, second), null, 1 << 20);
            long h = image.resolve("/lib.rs").getAsLong();
            List<ChunkRef> chunks = image.chunks(h);
            byte[] got = loader.load("/lib.rs", chunks, List.of()).get(0);
            try (FileBlobByteSource src = new FileBlobByteSource(fixtures.resolve(BLOBS).resolve(BLOB_ID))) {
                assertArrayEquals(new FileContentReader(image, i -> src, true).chunk(chunks.get(0)), got);
            }
            assertEquals(1, first.reads.get());
            assertEquals(1, second.reads.get());
        }
    }

    @Test
    void corruptOnlySourceFailsAfterExactlyOneRetry() throws Exception {
        Path fixtures = fixtures();
        Path bad = corruptCopy(fixtures);
        try (RafsImage image = RafsImages.open(fixtures.resolve(BOOT))) {
            Counted only = new Counted(bad);
            ChunkLoader loader = new ChunkLoader(image, List.of(only), null, 1 << 20);
            List<ChunkRef> chunks = image.chunks(image.resolve("/lib.rs").getAsLong());
            ChunkReadException e = assertThrows(ChunkReadException.class, () -> loader.load("/lib.rs", chunks, List.of()));
            assertEquals(2, only.reads.get());
            assertTrue(e.getCause() instanceof ChunkDigestMismatchException, e.toString());
            assertTrue(e.getMessage().contains("/lib.rs") && e.getMessage().contains(BLOB_ID) && e.getMessage().contains(bad.toString()),
                    e.getMessage());
        }
    }

    /** Threads asking for the same missing chunk while it is being fetched share that one fetch. */
    @Test
    void concurrentLoadsOfOneChunkShareOneFetch() throws Exception {
        Path fixtures = fixtures();
        try (RafsImage image = RafsImages.open(fixtures.resolve(BOOT))) {
            Counted slow = new Counted(fixtures.resolve(BLOBS)) {
                @Override
                public byte[] read(String blobId, long offset, int length) throws IOException {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    return super.read(blobId, offset, length);
                }
            };
            ChunkLoader loader = new ChunkLoader(image, List.of(slow), null, 1 << 20);
            List<ChunkRef> chunks = image.chunks(image.resolve("/sync_io.rs").getAsLong());
            int threads = 8;
            java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<byte[]>> fs = new java.util.ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    fs.add(pool.submit(() -> {
                        barrier.await();
                        return loader.load("/sync_io.rs", chunks, List.of()).get(0);
                    }));
                }
                byte[] first = fs.get(0).get();
                for (java.util.concurrent.Future<byte[]> f : fs) {
                    assertArrayEquals(first, f.get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, slow.reads.get());
        }
    }

    /**
     * A mount's first read of part of a cached chunk is served from the cache only when the whole chunk passes the
     * cache's CRC32C check: a byte changed outside the range read sends it to {@link ChunkLoader#load}, which fetches
     * the chunk again; intact, no source is asked.
     */
    @Test
    void partialReadOfACachedChunkChecksTheWholeChunk() throws Exception {
        Path fixtures = fixtures();
        Path cacheDir = tmp.resolve("cache");
        try (RafsImage image = RafsImages.open(fixtures.resolve(BOOT));
             dev.damselfly.rafsmount.cache.BlobCache cache = dev.damselfly.rafsmount.cache.BlobCache.open(cacheDir, 1L << 30)) {
            ChunkRef c = image.chunks(image.resolve("/lib.rs").getAsLong()).get(0);
            assertTrue(c.uncompressedSize() > 1000, "a chunk of " + c.uncompressedSize() + " bytes");
            Counted filling = new Counted(fixtures.resolve(BLOBS));
            byte[] whole = new ChunkLoader(image, List.of(filling), cache, 1 << 20).load("/lib.rs", List.of(c), List.of()).get(0);
            byte[] want = java.util.Arrays.copyOfRange(whole, 100, 400);

            Counted intact = new Counted(fixtures.resolve(BLOBS));
            java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocateDirect(300);
            assertTrue(new ChunkLoader(image, List.of(intact), cache, 1 << 20).cachedRange(c, 100, dst));
            assertEquals(300, dst.position());
            byte[] got = new byte[300];
            dst.get(0, got);
            assertArrayEquals(want, got);
            assertEquals(0, intact.reads.get());

            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                    cacheDir.resolve(BLOB_ID + ".blob.data"), java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) (whole[900] ^ 0x20)}), c.uncompressedOffset() + 900);
            }
            Counted refetching = new Counted(fixtures.resolve(BLOBS));
            ChunkLoader next = new ChunkLoader(image, List.of(refetching), cache, 1 << 20);
            java.nio.ByteBuffer again = java.nio.ByteBuffer.allocateDirect(300);
            assertFalse(next.cachedRange(c, 100, again), "the changed byte lies outside the range, not outside the check");
            assertEquals(0, again.position());
            assertArrayEquals(whole, next.load("/lib.rs", List.of(c), List.of()).get(0));
            assertEquals(1, refetching.reads.get());
        }
    }

    /**
     * Readers asking at once for different parts of one cached chunk this mount has not checked yet: one of them
     * checks it (reads it whole), the others wait for that check and read only their parts.
     */
    @Test
    void concurrentPartialReadsOfACachedChunkCheckItOnce() throws Exception {
        Path fixtures = fixtures();
        try (RafsImage image = RafsImages.open(fixtures.resolve(BOOT));
             dev.damselfly.rafsmount.cache.BlobCache cache =
                     dev.damselfly.rafsmount.cache.BlobCache.open(tmp.resolve("cache"), 1L << 30)) {
            ChunkRef c = image.chunks(image.resolve("/lib.rs").getAsLong()).get(0);
            byte[] whole = new ChunkLoader(image, List.of(new Counted(fixtures.resolve(BLOBS))), cache, 1 << 20)
                    .load("/lib.rs", List.of(c), List.of()).get(0);
            int threads = 8;
            int part = (int) c.uncompressedSize() / threads;
            for (int attempt = 0; attempt < 5; attempt++) {
                ChunkLoader mount = new ChunkLoader(image, List.of(new Counted(fixtures.resolve(BLOBS))), cache, 1 << 20);
                java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
                try {
                    List<java.util.concurrent.Future<java.nio.ByteBuffer>> parts = new java.util.ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        int from = t * part;
                        parts.add(pool.submit(() -> {
                            java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocateDirect(part);
                            barrier.await();
                            assertTrue(mount.cachedRange(c, from, dst));
                            return dst.flip();
                        }));
                    }
                    for (int t = 0; t < threads; t++) {
                        java.nio.ByteBuffer got = parts.get(t).get();
                        assertEquals(java.nio.ByteBuffer.wrap(whole, t * part, part), got, "part " + t);
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertEquals(1, mount.rangeChecks(), "checks of the chunk by one mount (attempt " + attempt + ")");
            }
        }
    }

    private static Path fixtures() {
        String p = System.getProperty("damselfly.fixtures");
        if (p == null || !Files.isDirectory(Path.of(p))) {
            fail("Nydus fixtures missing (system property damselfly.fixtures = " + p + ")");
        }
        return Path.of(p);
    }

    /** Copy of the blob with bytes flipped inside /lib.rs's chunk (its first chunk, compressed at offset 0). */
    private Path corruptCopy(Path fixtures) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        byte[] b = Files.readAllBytes(fixtures.resolve(BLOBS).resolve(BLOB_ID));
        b[2000] ^= 0x5A;
        Files.write(dir.resolve(BLOB_ID), b);
        return dir;
    }
}
