package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.build.LayerBuildOptions;
import dev.damselfly.rafsmount.cache.BlobCache;
import dev.damselfly.rafsmount.read.AccessTrace;
import dev.damselfly.rafsmount.read.ChunkLoader;
import dev.damselfly.rafsmount.read.ChunkReadException;
import dev.damselfly.rafsmount.read.FileReader;
import dev.damselfly.rafsmount.source.BlobSource;
import dev.damselfly.rafsmount.source.FileBlobSource;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Amplification across files (nydusd §5.6): a cold read of many small files whose chunks lie next to each other in
 * the blob costs few source reads, because each read also fetches, verifies and caches the blob's following
 * chunks of other files. Real builder, real blob files, real blob cache; the source only counts reads.
 */
class CrossFileAmplifyTest {
    private static final int FILES = 600;
    private static final int AMPLIFY = MountOptions.DEFAULT_AMPLIFY_IO;

    @TempDir
    Path tmp;

    /** 600 files of 300..3,300 bytes (text with a random tail), in 6 directories, stored in path order. */
    private BuiltImage manySmallFiles(Path dir) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        LayerTarBuilder tar = LayerTarBuilder.create();
        for (int d = 0; d < 6; d++) {
            tar.directory(String.format("d%d", d), 0755);
        }
        for (int i = 0; i < FILES; i++) {
            String path = String.format("d%d/f%04d.txt", i / 100, i);
            StringBuilder text = new StringBuilder();
            int size = 300 + (i * 977) % 3_000;
            while (text.length() < size / 2) {
                text.append("file ").append(i).append(" line ").append(text.length()).append('\n');
            }
            byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
            byte[] bytes = new byte[size];
            System.arraycopy(head, 0, bytes, 0, Math.min(head.length, size));
            byte[] tail = DeterministicBytes.bytes(1000 + i, size - Math.min(head.length, size));
            System.arraycopy(tail, 0, bytes, Math.min(head.length, size), tail.length);
            files.put(path, bytes);
            tar.file(path, 0644, bytes);
        }
        return BuiltImage.build(dir, tar, LayerBuildOptions.defaults(), files);
    }

    /** Reads every file of {@code img} whole, in path order, asserting its bytes; returns the source reads. */
    private int readAll(BuiltImage img, Path cacheDir) throws Exception {
        try (RafsImage image = RafsImages.open(img.bootstrap());
                FileBlobSource files = FileBlobSource.directory(img.blobDir());
                BlobCache cache = cacheDir == null ? null : BlobCache.open(cacheDir, 1L << 30)) {
            CountingBlobSource counting = new CountingBlobSource(files);
            ChunkLoader loader = new ChunkLoader(image, List.of(counting), cache, AMPLIFY);
            FileReader reader = new FileReader(image, loader, new AccessTrace(), AMPLIFY);
            for (Map.Entry<String, byte[]> e : img.files().entrySet()) {
                assertArrayEquals(e.getValue(), readWhole(image, reader, "/" + e.getKey()), e.getKey());
            }
            return counting.reads().size();
        }
    }

    private static byte[] readWhole(RafsImage image, FileReader reader, String path) throws Exception {
        long handle = image.resolve(path).getAsLong();
        int size = (int) image.stat(handle).size();
        byte[] out = new byte[size];
        assertEquals(size, reader.read(path, handle, size, 0, out, size), path);
        return out;
    }

    @Test
    void coldReadOfManySmallFilesTakesFewSourceReads() throws Exception {
        BuiltImage img = manySmallFiles(tmp.resolve("img"));
        int without = readAll(img, null); // no cache: nothing to keep extra chunks in, one read per file
        int with = readAll(img, tmp.resolve("cache"));
        assertEquals(FILES, without, "source reads without a cache");
        assertTrue(with <= FILES / 4, "source reads with cross-file amplification: " + with);
        assertTrue(with >= 1, "some source reads: " + with);
    }

    @Test
    void concurrentReadersNeverFetchAChunkTwice() throws Exception {
        BuiltImage img = manySmallFiles(tmp.resolve("img"));
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (RafsImage image = RafsImages.open(img.bootstrap());
                FileBlobSource files = FileBlobSource.directory(img.blobDir());
                BlobCache cache = BlobCache.open(tmp.resolve("cache"), 1L << 30)) {
            CountingBlobSource counting = new CountingBlobSource(files);
            ChunkLoader loader = new ChunkLoader(image, List.of(counting), cache, AMPLIFY);
            FileReader reader = new FileReader(image, loader, new AccessTrace(), AMPLIFY);
            List<String> paths = new ArrayList<>(img.files().keySet());
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    // each thread starts in another part of the tree and wraps around
                    for (int k = 0; k < paths.size(); k++) {
                        String p = paths.get((first * paths.size() / threads + k) % paths.size());
                        assertArrayEquals(img.files().get(p), readWhole(image, reader, "/" + p), p);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            for (String p : paths) {
                for (ChunkRef c : image.chunks(image.resolve("/" + p).getAsLong())) {
                    assertEquals(1, counting.readsCovering(c.blobId(), c.compressedOffset(),
                            c.compressedOffset() + c.compressedSize()), "source reads covering " + p + " " + c);
                }
            }
            assertTrue(counting.reads().size() <= FILES / 4, "source reads: " + counting.reads().size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void corruptExtraChunkIsDroppedWhileTheTriggeringReadSucceeds() throws Exception {
        BuiltImage img = manySmallFiles(tmp.resolve("img"));
        List<String> paths = new ArrayList<>(img.files().keySet());
        ChunkRef firstChunk = img.chunksOf(paths.get(0)).get(0);
        ChunkRef badChunk = img.chunksOf(paths.get(1)).get(0);
        ChunkRef afterBad = img.chunksOf(paths.get(2)).get(0);
        assertEquals(firstChunk.chunkIndex() + 1, badChunk.chunkIndex(), "files stored in path order");
        assertEquals(firstChunk.compressedOffset() + firstChunk.compressedSize(), badChunk.compressedOffset(),
                "adjacent in the blob");
        img.corrupt(badChunk);
        try (RafsImage image = RafsImages.open(img.bootstrap());
                FileBlobSource files = FileBlobSource.directory(img.blobDir());
                BlobCache cache = BlobCache.open(tmp.resolve("cache"), 1L << 30)) {
            CountingBlobSource counting = new CountingBlobSource(files);
            ChunkLoader loader = new ChunkLoader(image, List.of(counting), cache, AMPLIFY);
            FileReader reader = new FileReader(image, loader, new AccessTrace(), AMPLIFY);
            BlobInfo blob = image.blobs().get(firstChunk.blobIndex());

            assertArrayEquals(img.files().get(paths.get(0)), readWhole(image, reader, "/" + paths.get(0)));
            assertEquals(1, counting.reads().size(), "one source read, amplified: " + counting.reads());
            assertTrue(counting.readsCovering(blob.blobId(), badChunk.compressedOffset(),
                    afterBad.compressedOffset() + afterBad.compressedSize()) == 1, "the corrupt chunk was fetched as an extra");
            assertTrue(loader.awaitInflight(30, TimeUnit.SECONDS), "extra chunks decoded in the background");
            assertFalse(cache.contains(blob, badChunk), "a corrupt extra chunk is not cached");
            assertTrue(cache.contains(blob, afterBad), "the good extra chunk after it is cached");

            // the reader of the corrupt file fetches it itself (first attempt and retry), and gets EIO
            ChunkReadException e = assertThrows(ChunkReadException.class,
                    () -> readWhole(image, reader, "/" + paths.get(1)));
            assertEquals(badChunk.chunkIndex(), e.chunk().chunkIndex());
            assertEquals(3, counting.reads().size(), counting.reads().toString());
            // the next file comes from the cache
            assertArrayEquals(img.files().get(paths.get(2)), readWhole(image, reader, "/" + paths.get(2)));
            assertEquals(3, counting.reads().size(), counting.reads().toString());
        }
    }

    /**
     * The reader who triggered an amplified read gets its bytes while the read's extra chunks are still being
     * handled: here a corrupt extra chunk whose retry from the second source is held until the reader has returned.
     */
    @Test
    void theTriggeringReaderDoesNotWaitForExtraChunks() throws Exception {
        BuiltImage img = manySmallFiles(tmp.resolve("img"));
        Path good = Files.createDirectories(tmp.resolve("good-blobs"));
        Files.copy(img.blob(), good.resolve(img.blobId()));
        List<String> paths = new ArrayList<>(img.files().keySet());
        ChunkRef badChunk = img.chunksOf(paths.get(1)).get(0);
        img.corrupt(badChunk);
        CountDownLatch retryMayAnswer = new CountDownLatch(1);
        try (RafsImage image = RafsImages.open(img.bootstrap());
                FileBlobSource corrupt = FileBlobSource.directory(img.blobDir());
                FileBlobSource intact = FileBlobSource.directory(good);
                BlobCache cache = BlobCache.open(tmp.resolve("cache"), 1L << 30)) {
            BlobSource heldRetries = new BlobSource() {
                @Override
                public String name() {
                    return "held " + intact.name();
                }

                @Override
                public byte[] read(String blobId, long offset, int length) throws IOException {
                    try {
                        if (!retryMayAnswer.await(30, TimeUnit.SECONDS)) {
                            throw new IOException("the test never let the retry answer");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                    return intact.read(blobId, offset, length);
                }
            };
            ChunkLoader loader = new ChunkLoader(image, List.of(corrupt, heldRetries), cache, AMPLIFY);
            FileReader reader = new FileReader(image, loader, new AccessTrace(), AMPLIFY);
            BlobInfo blob = image.blobs().get(badChunk.blobIndex());

            // returns although the corrupt extra chunk's retry cannot finish yet
            assertArrayEquals(img.files().get(paths.get(0)), readWhole(image, reader, "/" + paths.get(0)));
            assertFalse(cache.contains(blob, badChunk), "the held retry has not delivered");
            retryMayAnswer.countDown();
            assertTrue(loader.awaitInflight(30, TimeUnit.SECONDS), "the background work finished");
            assertTrue(cache.contains(blob, badChunk), "the retried extra chunk, verified, is cached");
            assertArrayEquals(img.files().get(paths.get(1)), readWhole(image, reader, "/" + paths.get(1)));
        }
    }
}
