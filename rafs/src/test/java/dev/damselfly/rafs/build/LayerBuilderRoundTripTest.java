package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.BlobMetadata;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.rafs.blob.InlinedBootstrap;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import dev.damselfly.rafs.inspect.RafsChecker;
import dev.damselfly.testkit.image.LayerTarBuilder;
import dev.damselfly.testkit.image.TestTrees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Builds layers from generated tars and reads them back with our own reader. */
class LayerBuilderRoundTripTest {
    @TempDir
    Path dir;

    static byte[] tar(LayerTarBuilder b, String wrap) throws IOException {
        byte[] plain = b.toByteArray();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        switch (wrap) {
            case "gzip" -> {
                try (OutputStream z = new GZIPOutputStream(o)) {
                    z.write(plain);
                }
            }
            case "zstd" -> {
                try (OutputStream z = new ZstdOutputStream(o)) {
                    z.write(plain);
                }
            }
            default -> o.writeBytes(plain);
        }
        return o.toByteArray();
    }

    LayerBuildResult build(byte[] tar, LayerBuildOptions opts) throws IOException {
        return new LayerBuilder(opts).build(new ByteArrayInputStream(tar), dir.resolve("boot"), dir.resolve("blob"));
    }

    @ParameterizedTest(name = "{0} tar, {1}, {2}, chunk {3}, aligned {4}")
    @CsvSource({
        "plain, ZSTD, BLAKE3, 1048576, false",
        "gzip, LZ4_BLOCK, SHA256, 65536, false",
        "zstd, NONE, BLAKE3, 4096, false",
        "plain, NONE, SHA256, 1048576, true",
        "gzip, ZSTD, BLAKE3, 16777216, false"})
    void allEntryTypesRoundTrip(String wrap, Compression c, DigestAlgorithm d, int chunk, boolean aligned) throws IOException {
        LayerTarBuilder b = TestTrees.allEntryTypes(42);
        LayerBuildOptions opts = new LayerBuildOptions(chunk, c, d, aligned);
        LayerBuildResult r = build(tar(b, wrap), opts);
        assertEquals(wrap.equals("plain") ? "none" : wrap, r.tarCompression());
        ExpectedTree expected = ExpectedTree.of(b.entries());
        try (RafsImage img = RafsImages.open(r.bootstrap()); FileBlobByteSource blob = new FileBlobByteSource(r.blob())) {
            assertEquals(c, img.compression());
            assertEquals(d, img.digestAlgorithm());
            assertEquals(chunk, img.chunkSize());
            assertTrue(img.explicitUidGid());
            assertEquals(128, img.rootHandle());
            assertEquals(java.util.List.of(128L), img.prefetchHandles(), "prefetch table: the root, as nydusify writes");
            expected.assertMatches(img, blob);

            BlobInfo info = img.blobs().get(0);
            assertEquals(r.blobId(), info.blobId());
            assertEquals(sha256(Files.readAllBytes(r.blob())), r.blobId(), "blob id = sha256 of the blob file");
            assertEquals(r.chunkCount(), info.chunkCount());
            assertEquals(0, info.uncompressedSize() % 4096);
            assertEquals(0, Files.size(r.bootstrap()) % 4096);
            // the blob's own metadata agrees with the bootstrap for every chunk of every file
            BlobMetadata meta = BlobMetadata.read(info, blob);
            assertTrue(meta.toc().isPresent());
            assertEquals(info.tocSize(), meta.toc().get().entries().size() * 128L + 512);
            assertArrayEquals(info.tocDigest(), meta.toc().get().sha256());
            for (String f : expected.files()) {
                long h = img.resolve(f).getAsLong();
                for (ChunkRef ref : img.chunks(h)) {
                    ChunkRef fromBlob = meta.locate(ref, blob.name());
                    assertEquals(ref.compressedOffset(), fromBlob.compressedOffset(), f);
                    assertEquals(ref.compressedSize(), fromBlob.compressedSize(), f);
                    assertArrayEquals(ref.digest(), fromBlob.digest(), f);
                    if (aligned) {
                        assertEquals(ref.uncompressedOffset(), ref.compressedOffset(), f + " aligned: stored at its uncompressed offset");
                        assertEquals(0, ref.compressedOffset() % 4096);
                    }
                }
            }
            RafsChecker.Report report = RafsChecker.check(img);
            assertEquals(r.chunkReferences() + 0, report.chunkRefs() - hardLinkedChunkRefs(img), "chunk references");
            // the inlined bootstrap describes the same tree and the same chunks
            try (RafsImage inline = InlinedBootstrap.open(blob)) {
                assertEquals(r.builderBlobId(), inline.blobs().get(0).blobId());
                expected.assertMatches(inline, blob);
            }
        }
    }

    /** Chunk references made by the second name of hard-linked files (the checker counts them per name). */
    private static long hardLinkedChunkRefs(RafsImage img) throws IOException {
        long n = 0;
        long h = img.resolve("/" + TestTrees.HARD_LINK).getAsLong();
        n += img.chunks(h).size();
        n += img.chunks(img.resolve("/usr/share/long-name-hardlink").getAsLong()).size();
        return n;
    }

    @Test
    void identicalChunksAreStoredOnce() throws IOException {
        LayerTarBuilder b = LayerTarBuilder.create();
        byte[] same = TestTrees.text(7, 3 * 65536);
        b.file("a", 0644, same);
        b.file("b", 0644, same);
        b.file("c", 0644, java.util.Arrays.copyOf(same, 65536 + 10));
        LayerBuildResult r = build(tar(b, "plain"), LayerBuildOptions.defaults().withChunkSize(65536));
        // a: 3 chunks; b: same 3; c: first chunk shared + a 10-byte tail
        assertEquals(8, r.chunkReferences());
        assertEquals(4, r.chunkCount());
        try (RafsImage img = RafsImages.open(r.bootstrap()); FileBlobByteSource blob = new FileBlobByteSource(r.blob())) {
            ExpectedTree.of(b.entries()).assertMatches(img, blob);
        }
    }

    @ParameterizedTest(name = "chunk {0}, {1}")
    @CsvSource({"4096, ZSTD", "65536, NONE", "1048576, LZ4_BLOCK"})
    void layoutCornerCasesRoundTrip(int chunk, Compression c) throws IOException {
        LayerTarBuilder b = LayoutEdgeTrees.of(9, chunk);
        LayerBuildResult r = build(tar(b, "plain"), LayerBuildOptions.defaults().withChunkSize(chunk).withCompression(c));
        try (RafsImage img = RafsImages.open(r.bootstrap()); FileBlobByteSource blob = new FileBlobByteSource(r.blob())) {
            ExpectedTree.of(b.entries()).assertMatches(img, blob);
            assertTrue(img.stat(img.resolve("/big").getAsLong()).size() > 4 * 4096, "multi-block directory");
            // all-zero chunks: one full chunk and one 17-byte tail are stored, whatever the number of references
            long zeros = img.resolve("/zeros").getAsLong();
            long more = img.resolve("/more-zeros").getAsLong();
            assertEquals(img.chunks(zeros).get(0).chunkIndex(), img.chunks(zeros).get(2).chunkIndex());
            assertEquals(img.chunks(zeros).get(0).chunkIndex(), img.chunks(more).get(0).chunkIndex());
        }
    }

    @Test
    void whiteoutsAreKeptVerbatimAsEmptyFiles() throws IOException {
        LayerBuildResult r = build(tar(TestTrees.allEntryTypes(1), "plain"), LayerBuildOptions.defaults());
        try (RafsImage img = RafsImages.open(r.bootstrap())) {
            for (String p : new String[] {TestTrees.WHITEOUT, TestTrees.OPAQUE}) {
                var a = img.stat(img.resolve("/" + p).getAsLong());
                assertEquals(dev.damselfly.rafs.FileType.REGULAR, a.type(), p);
                assertEquals(0, a.size(), p);
            }
        }
    }

    @Test
    void emptyLayerStillOpens() throws IOException {
        LayerBuildResult r = build(tar(LayerTarBuilder.create(), "plain"), LayerBuildOptions.defaults());
        assertEquals(0, r.chunkCount());
        try (RafsImage img = RafsImages.open(r.bootstrap()); FileBlobByteSource blob = new FileBlobByteSource(r.blob())) {
            assertEquals(0, img.readDir(img.rootHandle()).size());
            BlobMetadata.read(img.blobs().get(0), blob);
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
