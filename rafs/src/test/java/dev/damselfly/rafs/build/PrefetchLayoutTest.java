package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a prefetch list that does not name the root, the builder lays the listed files' new chunks out together,
 * after every other chunk of the blob, in chunk-info order: one region a mount reads in a few large requests.
 * Chunks shared with other files are stored once, wherever they came first; every file still reads back byte for
 * byte, and {@code fsck.erofs} accepts the result, compressed and aligned.
 */
class PrefetchLayoutTest {
    private static final int CHUNK = 4096;

    @TempDir
    Path dir;

    /**
     * Path → content (the tar builder writes them sorted by path): listed files between unlisted ones, and chunks
     * shared across the two kinds.
     */
    private static Map<String, byte[]> files() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        byte[] python = DeterministicBytes.bytes(1, 5 * CHUNK + 100);
        files.put("etc/early", DeterministicBytes.bytes(2, 3 * CHUNK));
        files.put("usr/bin/python3", python);
        files.put("usr/share/doc", DeterministicBytes.bytes(3, 2 * CHUNK));
        files.put("usr/lib/libc.so", DeterministicBytes.bytes(4, 2 * CHUNK + 7));
        // a listed file whose content an unlisted file already stored: it points at that chunk
        files.put("usr/lib/copy-of-early", java.util.Arrays.copyOf(files.get("etc/early"), CHUNK));
        // an unlisted file whose first chunk is the listed python3's first chunk: it points into the region
        byte[] late = DeterministicBytes.bytes(5, 2 * CHUNK);
        System.arraycopy(python, 0, late, 0, CHUNK);
        files.put("var/late", late);
        files.put("var/last", DeterministicBytes.bytes(6, CHUNK + 1));
        return files;
    }

    private static byte[] tar(Map<String, byte[]> files) {
        LayerTarBuilder b = LayerTarBuilder.create();
        for (String d : List.of("etc", "usr", "usr/bin", "usr/share", "usr/lib", "var")) {
            b.directory(d, 0755);
        }
        files.forEach((path, content) -> b.file(path, 0644, content));
        return b.toByteArray();
    }

    private LayerBuildResult build(LayerBuildOptions opts, String name) throws Exception {
        return new LayerBuilder(opts).build(new ByteArrayInputStream(tar(files())), dir.resolve(name + ".boot"),
                dir.resolve(name + ".blob"));
    }

    private static LayerBuildOptions listed() {
        return LayerBuildOptions.defaults().withChunkSize(CHUNK)
                .withPrefetchPaths(List.of("/usr/bin/python3", "/usr/lib", "/not/there"));
    }

    @Test
    void aBuildToAStreamGivesTheSameBlobAndBootstrapAndWritesNoBlobFile() throws Exception {
        LayerBuildResult file = build(listed(), "file");
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        Path boot = dir.resolve("streamed.boot");
        LayerBuildResult stream = new LayerBuilder(listed()).buildToStream(new ByteArrayInputStream(tar(files())), boot,
                streamed);
        assertArrayEquals(Files.readAllBytes(file.blob()), streamed.toByteArray());
        assertArrayEquals(Files.readAllBytes(file.bootstrap()), Files.readAllBytes(boot));
        assertEquals(file.blobDigest(), stream.blobDigest());
        assertNull(stream.blob());
        try (var left = Files.list(dir)) {
            assertEquals(List.of("file.blob", "file.boot", "streamed.boot"),
                    left.map(p -> p.getFileName().toString()).sorted().toList(), "no blob file, no temporary file");
        }
    }

    @Test
    void listedFilesChunksFormOneRegionAtTheEndOfTheChunkData() throws Exception {
        LayerBuildResult r = build(listed(), "layout");
        try (RafsImage img = RafsImages.open(r.bootstrap())) {
            TreeSet<Long> listedNew = new TreeSet<>();
            TreeSet<Long> others = new TreeSet<>();
            Map<Long, ChunkRef> byIndex = new java.util.HashMap<>();
            for (String f : files().keySet()) {
                boolean isListed = f.equals("usr/bin/python3") || f.startsWith("usr/lib/");
                for (ChunkRef c : img.chunks(img.resolve("/" + f).orElseThrow())) {
                    byIndex.put(c.chunkIndex(), c);
                    (isListed ? listedNew : others).add(c.chunkIndex());
                }
            }
            // the copy of /etc/early points at the unlisted file's chunk; /var/late's first chunk into the region
            ChunkRef copy = img.chunks(img.resolve("/usr/lib/copy-of-early").orElseThrow()).get(0);
            ChunkRef early = img.chunks(img.resolve("/etc/early").orElseThrow()).get(0);
            assertEquals(early.chunkIndex(), copy.chunkIndex());
            ChunkRef late = img.chunks(img.resolve("/var/late").orElseThrow()).get(0);
            ChunkRef python = img.chunks(img.resolve("/usr/bin/python3").orElseThrow()).get(0);
            assertEquals(python.chunkIndex(), late.chunkIndex());
            listedNew.remove(copy.chunkIndex());
            others.remove(late.chunkIndex());
            // python3: 6 chunks, libc.so: 3 chunks, all new
            assertEquals(9, listedNew.size());
            long total = byIndex.size();
            assertEquals(total - 9, listedNew.first(), "the region holds the last chunk indexes");
            assertEquals(total - 1, listedNew.last());
            assertTrue(others.last() < listedNew.first());
            // one contiguous run of compressed bytes, after every other chunk
            long end = -1;
            for (long i : listedNew) {
                ChunkRef c = byIndex.get(i);
                if (end >= 0) {
                    assertEquals(end, c.compressedOffset(), "chunk " + i + " follows the previous one");
                }
                end = c.compressedOffset() + c.compressedSize();
            }
            for (long i : others) {
                ChunkRef c = byIndex.get(i);
                assertTrue(c.compressedOffset() + c.compressedSize() <= byIndex.get(listedNew.first()).compressedOffset());
            }
            assertEquals(List.of(img.resolve("/usr/bin/python3").orElseThrow(), img.resolve("/usr/lib").orElseThrow()),
                    img.prefetchHandles());
            assertContents(img, r);
        }
        Processes.ok(List.of("fsck.erofs", "--device=" + r.blob(), r.bootstrap().toString()));
    }

    @Test
    void alignedLayoutStaysKernelMountableAndReadsBack() throws Exception {
        LayerBuildResult r = build(listed().withAligned(true), "aligned");
        try (RafsImage img = RafsImages.open(r.bootstrap())) {
            ChunkRef python = img.chunks(img.resolve("/usr/bin/python3").orElseThrow()).get(0);
            ChunkRef last = img.chunks(img.resolve("/var/last").orElseThrow()).get(0);
            assertTrue(python.compressedOffset() > last.compressedOffset(), "listed chunks come after /var/last");
            assertEquals(0, python.compressedOffset() % 4096);
            assertEquals(python.uncompressedOffset(), python.compressedOffset());
            assertContents(img, r);
        }
        Processes.ok(List.of("fsck.erofs", "--device=" + r.blob(), r.bootstrap().toString()));
    }

    @Test
    void theDefaultListKeepsTarOrder() throws Exception {
        LayerBuildResult r = build(LayerBuildOptions.defaults().withChunkSize(CHUNK), "default");
        try (RafsImage img = RafsImages.open(r.bootstrap())) {
            long previous = -1;
            for (String f : List.of("etc/early", "usr/bin/python3", "usr/lib/libc.so", "usr/share/doc", "var/last")) {
                long first = img.chunks(img.resolve("/" + f).orElseThrow()).get(0).chunkIndex();
                assertTrue(first > previous, f + " comes after the file before it");
                previous = first;
            }
            assertContents(img, r);
        }
        assertNull(PrefetchList.layoutMatcher(List.of("/")));
        assertNull(PrefetchList.layoutMatcher(List.of("relative")));
        assertNotNull(PrefetchList.layoutMatcher(List.of("/usr")));
        assertTrue(PrefetchList.layoutMatcher(List.of("/usr")).test(List.of("usr", "bin", "x")));
        assertFalse(PrefetchList.layoutMatcher(List.of("/usr/bin")).test(List.of("usr", "binx")));
        assertFalse(PrefetchList.layoutMatcher(List.of("/usr/bin")).test(List.of("usr")));
    }

    @Test
    void heldBackChunksSpillToATemporaryFileAndReadBack() throws Exception {
        Path spill;
        try (DeferredChunks d = new DeferredChunks(dir, 10)) {
            List<byte[]> stored = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] b = DeterministicBytes.bytes(10 + i, 8);
                stored.add(b);
                ByteBuffer key = ByteBuffer.allocate(4).putInt(i).flip();
                byte[] slab = new byte[25]; // the chunk at offset 5 of a larger buffer, as builds hand it over
                System.arraycopy(b, 0, slab, 5, 8);
                assertEquals(i, d.add(key, new byte[32], 8, false, slab, 5, 8, i, 0));
                assertEquals(i, d.find(key));
            }
            spill = d.spillFile();
            assertNotNull(spill, "the second chunk no longer fits in 10 bytes of memory");
            assertEquals(dir, spill.getParent(), "the spool goes beside the blob");
            assertEquals(16, Files.size(spill));
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(stored.get(i), d.bytes(d.chunks().get(i)));
            }
            int[] ids = new int[2];
            d.refer(ids, 1, 2);
            d.patch(new int[] {7, 8, 9});
            assertArrayEquals(new int[] {0, 9}, ids);
        }
        assertFalse(Files.exists(spill), "close deletes the spool");
    }

    private void assertContents(RafsImage img, LayerBuildResult r) throws Exception {
        FileBlobByteSource blob = new FileBlobByteSource(r.blob());
        FileContentReader reader = new FileContentReader(img, i -> blob, true);
        for (Map.Entry<String, byte[]> e : files().entrySet()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            reader.copyTo(img.resolve("/" + e.getKey()).orElseThrow(), out);
            assertArrayEquals(e.getValue(), out.toByteArray(), e.getKey());
        }
    }
}
