package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.testkit.image.LayerTarBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunk deduplication against a chunk dictionary ({@link LayerBuildOptions#chunkDict()}): layer B, built with
 * layer A's bootstrap as dictionary, stores only the chunks A does not have; its bootstrap lists A's blob first
 * and its own last, and every file of B reads back byte for byte through our reader with both blob files
 * (digests verified), through {@code fsck.erofs}/{@code dump.erofs} with both devices, and (aligned) through the
 * kernel's EROFS driver with both blobs as devices.
 */
class ChunkDictTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Random (incompressible) contents, so stored chunk sizes equal their lengths. */
    private static Map<String, byte[]> filesA() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("big/a1", random(1, 3 * MIB));
        m.put("big/a2", random(2, 3 * MIB / 2));
        m.put("small/s1", random(3, 5000));
        m.put("small/s2", random(4, 1));
        m.put("empty", new byte[0]);
        return m;
    }

    /** A's files with a2's second chunk changed, one file renamed, and one new 1 MiB + 100 B file. */
    private static Map<String, byte[]> filesB() {
        Map<String, byte[]> m = filesA();
        byte[] a2 = m.get("big/a2").clone();
        a2[MIB + 7] ^= 0x5A;
        m.put("big/a2", a2);
        m.put("renamed/s1", m.remove("small/s1"));
        m.put("new/n", random(5, MIB + 100));
        return m;
    }

    private static LayerTarBuilder tar(Map<String, byte[]> files) {
        LayerTarBuilder b = LayerTarBuilder.create();
        files.forEach((p, c) -> b.file(p, 0644, c));
        b.hardLink("hl", "big/a1");
        return b;
    }

    /** Builds into {@code dir/name.boot} and a blob named by its id (so blob files can be found by id). */
    private LayerBuildResult build(Map<String, byte[]> files, LayerBuildOptions opts, String name) throws IOException {
        Path tmp = dir.resolve(name + ".blob.tmp");
        LayerBuildResult r = new LayerBuilder(opts).build(new ByteArrayInputStream(tar(files).toByteArray()),
                dir.resolve(name + ".boot"), tmp);
        Files.move(tmp, dir.resolve(r.blobId()));
        return r;
    }

    private Path blob(String id) {
        return dir.resolve(id);
    }

    @Test
    void layerBStoresOnlyNewChunksAndReadsBackThroughBothBlobs() throws Exception {
        LayerBuildResult a = build(filesA(), LayerBuildOptions.defaults(), "a");
        LayerBuildResult plain = build(filesB(), LayerBuildOptions.defaults(), "b-plain");
        LayerBuildResult b = build(filesB(), LayerBuildOptions.defaults().withChunkDict(a.bootstrap()), "b");

        // new chunks: n (1 MiB + 100 B) and a2's changed second chunk (0.5 MiB); raw, back to back
        long newBytes = MIB + 100 + MIB / 2;
        assertEquals(newBytes, b.chunkDataSize());
        assertEquals(3, b.chunkCount());
        assertEquals(plain.chunkReferences(), b.chunkReferences());
        assertEquals(b.chunkReferences() - 3, b.dictionaryChunkReferences());
        assertTrue(plain.chunkDataSize() > 5 * MIB, "without the dictionary B stores everything: " + plain.chunkDataSize());
        assertTrue(Files.size(blob(b.blobId())) < newBytes + 64 * 1024, "blob of " + Files.size(blob(b.blobId())));
        assertEquals(List.of(a.blobId()), b.dictionaryBlobIds());

        try (RafsImage img = RafsImages.open(b.bootstrap())) {
            List<String> ids = img.blobs().stream().map(BlobInfo::blobId).toList();
            assertEquals(List.of(a.blobId(), b.blobId()), ids);
            assertEquals(3, img.blobs().get(1).chunkCount());
            assertEquals(Compression.ZSTD, img.blobs().get(0).compression());
            boolean usesBoth = false;
            for (ChunkRef c : img.chunks(img.resolve("/big/a2").orElseThrow())) {
                usesBoth |= c.blobIndex() == 1;
            }
            assertTrue(usesBoth, "a2 mixes chunks of both blobs");
            assertEquals(sha256(filesB()), sha256(readAll(img)));
        }
        String boot = b.bootstrap().toString();
        List<String> devices = List.of("--device=" + blob(a.blobId()), "--device=" + blob(b.blobId()));
        Processes.ok(concat(List.of("fsck.erofs"), devices, List.of(boot)));
        String dump = Processes.ok(concat(List.of("dump.erofs"), devices, List.of("--path=/new/n", boot)));
        assertTrue(dump.contains("Size: " + (MIB + 100)), dump);

        // the two layers merge into one image with each blob once (ChunkDictMergeTest covers this in depth)
        MergeResult merged = LayerMerger.merge(List.of(a.bootstrap(), b.bootstrap()), List.of(a.blobId(), b.blobId()),
                dir.resolve("merged.boot"));
        assertEquals(List.of(a.blobId(), b.blobId()), merged.blobIds());
    }

    @Test
    void alignedLayerAgainstAnAlignedDictionaryMountsWithTheKernel() throws Exception {
        LayerBuildOptions opts = LayerBuildOptions.kernelMountable();
        LayerBuildResult a = build(filesA(), opts, "a");
        LayerBuildResult b = build(filesB(), opts.withChunkDict(a.bootstrap()), "b");
        assertEquals(MIB + 100 + 4096 - 100 + MIB / 2, b.chunkDataSize(), "two new chunks, 4 KiB aligned");
        try (RafsImage img = RafsImages.open(b.bootstrap())) {
            assertEquals(sha256(filesB()), sha256(readAll(img)));
        }
        Processes.ok(List.of("fsck.erofs", "--device=" + blob(a.blobId()), "--device=" + blob(b.blobId()),
                b.bootstrap().toString()));
        try (ErofsMount m = ErofsMount.mount(b.bootstrap(), List.of(blob(a.blobId()), blob(b.blobId())), dir.resolve("mnt"))) {
            Map<String, byte[]> seen = new LinkedHashMap<>();
            try (Stream<Path> s = Files.walk(m.root())) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    seen.put(m.root().relativize(p).toString(), Files.readAllBytes(p));
                }
            }
            assertArrayEquals(seen.remove("hl"), filesB().get("big/a1"));
            assertEquals(sha256(filesB()), sha256(seen));
        }
    }

    @Test
    void unusableDictionariesAreTypedErrorsAndLeaveNoOutput() throws Exception {
        LayerBuildResult zstd = build(filesA(), LayerBuildOptions.defaults(), "a");
        LayerBuildResult small = build(filesA(), LayerBuildOptions.defaults().withChunkSize(4096), "a4k");
        ChunkDictException size = assertThrows(ChunkDictException.class, () ->
                build(filesB(), LayerBuildOptions.defaults().withChunkDict(small.bootstrap()), "x"));
        assertTrue(size.getMessage().contains("chunk size 4096"), size.getMessage());
        ChunkDictException aligned = assertThrows(ChunkDictException.class, () ->
                build(filesB(), LayerBuildOptions.kernelMountable().withChunkDict(zstd.bootstrap()), "y"));
        assertEquals(zstd.bootstrap(), aligned.dictionary());
        assertThrows(IOException.class, () ->
                build(filesB(), LayerBuildOptions.defaults().withChunkDict(dir.resolve("absent.boot")), "z"));
        for (String n : List.of("x", "y", "z")) {
            assertFalse(Files.exists(dir.resolve(n + ".boot")), n);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    /** Every regular file's bytes (hard link {@code hl} left out), read with blob files found by id, digests checked. */
    private Map<String, byte[]> readAll(RafsImage img) throws Exception {
        List<FileBlobByteSource> sources = new ArrayList<>();
        try {
            for (BlobInfo bi : img.blobs()) {
                sources.add(new FileBlobByteSource(blob(bi.blobId())));
            }
            FileContentReader reader = new FileContentReader(img, i -> sources.get(i), true);
            Map<String, byte[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, Long> e : ExpectedTree.walk(img).entrySet()) {
                if (img.stat(e.getValue()).type() != FileType.REGULAR || e.getKey().equals("/hl")) {
                    continue;
                }
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                reader.copyTo(e.getValue(), bytes);
                out.put(e.getKey().substring(1), bytes.toByteArray());
            }
            assertArrayEquals(out.get("big/a1"), readHardLink(img, reader));
            return out;
        } finally {
            for (FileBlobByteSource s : sources) {
                s.close();
            }
        }
    }

    private static byte[] readHardLink(RafsImage img, FileContentReader reader) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        reader.copyTo(img.resolve("/hl").orElseThrow(), bytes);
        return bytes.toByteArray();
    }

    /** Path → SHA-256 hex of the content, sorted (byte arrays do not compare by value). */
    private static Map<String, String> sha256(Map<String, byte[]> files) throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            out.put(e.getKey(), java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(e.getValue())));
        }
        return out;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> out = new ArrayList<>();
        for (List<String> p : parts) {
            out.addAll(p);
        }
        return out;
    }
}
