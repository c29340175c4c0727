package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Source reads as seen by a counting source: amplify_io merges a file's adjacent chunks into one read, and
 * many threads reading the same file through the mount cause one source read per chunk (single-flight).
 */
class ReadMergingTest {
    /** 1,415,680 bytes: two chunks (1 MiB + 366,080 B), stored uncompressed and adjacent in the blob. */
    private static final String LAYER = "/normal-file-test/busybox/1f777dbdd68d1c4d554bc0d20e027bfef9ed2dfe2d8d5f029e958552a0e12475/layer.tar";

    @TempDir
    Path tmp;

    @Test
    void amplifyIoMergesAdjacentChunksIntoOneSourceRead() throws Exception {
        assertEquals(1, sourceReadsForLayer(4 << 20, "big"));
    }

    @Test
    void defaultAmplifyIoOfOneMebibyteReadsEachFullChunkAlone() throws Exception {
        assertEquals(2, sourceReadsForLayer(MountOptions.DEFAULT_AMPLIFY_IO, "default"));
    }

    private int sourceReadsForLayer(int amplifyIo, String name) throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt-" + name));
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS))) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(Fixtures.path(Fixtures.V5_SHA256), mp,
                    MountOptions.of(counting).withCache(tmp.resolve("cache-" + name), 1L << 30).withAmplifyIo(amplifyIo))) {
                assertEquals(Fixtures.expectedSha256("sha256-nocompress-repeatable.txt").get(LAYER), Sha256.of(mp.resolve(LAYER.substring(1))));
            }
            return counting.reads().size();
        }
    }

    @Test
    void concurrentReadersOfOneFileCauseOneSourceReadPerChunk() throws Exception {
        Map<String, String> expected = Fixtures.expectedSha256("sha256-nocompress-repeatable.txt");
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        int threads = 8;
        List<ChunkRef> chunks;
        try (RafsImage image = RafsImages.open(Fixtures.path(Fixtures.V5_SHA256))) {
            chunks = image.chunks(image.resolve(LAYER).getAsLong());
        }
        assertEquals(2, chunks.size());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS))) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(Fixtures.path(Fixtures.V5_SHA256), mp,
                    MountOptions.of(counting).withCache(tmp.resolve("cache"), 1L << 30))) {
                Path f = mp.resolve(LAYER.substring(1));
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<byte[]>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int first = t;
                    results.add(pool.submit(() -> {
                        start.await();
                        return readFromOffset(f, (long) first * (160 << 10));
                    }));
                }
                byte[] whole = Files.readAllBytes(f);
                for (Future<byte[]> r : results) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(whole, r.get());
                }
                assertEquals(expected.get(LAYER), Sha256.of(f));
            }
            for (ChunkRef c : chunks) {
                assertEquals(1, counting.readsCovering(c.blobId(), c.compressedOffset(), c.compressedOffset() + c.compressedSize()),
                        "source reads covering " + c + ": " + counting.reads());
            }
            assertEquals(2, counting.reads().size(), counting.reads().toString());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Without a blob cache, the kernel's 128 KiB FUSE reads of one 1 MiB chunk are answered from the chunk the first of
     * them fetched and verified (held in memory), not by fetching it again for each: one source read per chunk.
     */
    @Test
    void withoutABlobCacheEachChunkIsFetchedOnceForASequentialRead() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt-nocache"));
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS))) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(Fixtures.path(Fixtures.V5_SHA256), mp, MountOptions.of(counting))) {
                assertEquals(Fixtures.expectedSha256("sha256-nocompress-repeatable.txt").get(LAYER),
                        Sha256.of(mp.resolve(LAYER.substring(1))));
            }
            assertEquals(2, counting.reads().size(), counting.reads().toString());
        }
    }

    /**
     * Readers asking at once for different parts of one chunk the blob cache holds check it once: the first reads all
     * of it for its CRC32C, the others wait for that check, then read their own parts.
     */
    @Test
    void concurrentReadersOfOneCachedChunkReadItFromTheCacheOnce() throws Exception {
        List<ChunkRef> chunks;
        try (RafsImage image = RafsImages.open(Fixtures.path(Fixtures.V5_SHA256))) {
            chunks = image.chunks(image.resolve(LAYER).getAsLong());
        }
        long bothChunks = chunks.get(0).uncompressedSize() + chunks.get(1).uncompressedSize();
        Path cache = tmp.resolve("cache-once");
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS))) {
            Path fill = Files.createDirectory(tmp.resolve("mnt-fill"));
            try (MountHandle m = RafsMount.mount(Fixtures.path(Fixtures.V5_SHA256), fill,
                    MountOptions.of(files).withCache(cache, 1L << 30))) {
                Files.readAllBytes(fill.resolve(LAYER.substring(1)));
            }
            io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            Path mp = Files.createDirectory(tmp.resolve("mnt-once"));
            try (MountHandle m = RafsMount.mount(Fixtures.path(Fixtures.V5_SHA256), mp,
                    MountOptions.of(files).withCache(cache, 1L << 30).withMeterRegistry(meters))) {
                Path f = mp.resolve(LAYER.substring(1));
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<byte[]>> parts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long at = (long) t * (128 << 10);
                    parts.add(pool.submit(() -> {
                        start.await();
                        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                            ByteBuffer b = ByteBuffer.allocate(128 << 10);
                            while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
                                // until the window is full
                            }
                            return b.array();
                        }
                    }));
                }
                for (Future<byte[]> p : parts) {
                    p.get();
                }
                assertEquals(Fixtures.expectedSha256("sha256-nocompress-repeatable.txt").get(LAYER), Sha256.of(f));
            }
            double read = meters.get(MountMetrics.CACHE_READ_BYTES).counter().count();
            // each chunk read whole once for its check, then the other readers' own windows (together at most the
            // file: the kernel asks for each page once); ChunkLoaderTest counts the checks themselves
            assertTrue(read >= bothChunks && read <= 2 * bothChunks,
                    "bytes read back from the cache: " + read + ", chunks of " + chunks.get(0).uncompressedSize()
                            + " and " + chunks.get(1).uncompressedSize());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The whole file, read in 64 KiB positional reads starting at {@code first} and wrapping around. */
    private static byte[] readFromOffset(Path f, long first) throws Exception {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            int size = (int) ch.size();
            byte[] out = new byte[size];
            long start = first % size;
            for (long done = 0; done < size; ) {
                long pos = (start + done) % size;
                int len = (int) Math.min(64 << 10, size - pos);
                ByteBuffer buf = ByteBuffer.wrap(out, (int) pos, len);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, pos + (buf.position() - pos)) < 0) {
                        throw new java.io.EOFException();
                    }
                }
                done += len;
            }
            return out;
        }
    }
}
