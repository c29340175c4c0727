package dev.damselfly.rafs.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.Fixtures;
import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The 2.2 blob's own metadata agrees with its bootstrap (CI V1 array, header, digest array, TOC). */
class BlobMetadataTest {

    @Test
    void chunkInfoArrayDigestsAndTocMatchTheBootstrap() throws Exception {
        try (RafsImage img = RafsImages.open(Fixtures.path(Fixtures.V6_BOOT));
             FileBlobByteSource blob = new FileBlobByteSource(Fixtures.path(Fixtures.V6_BLOB))) {
            BlobInfo info = img.blobs().get(0);
            BlobMetadata meta = BlobMetadata.read(info, blob);
            assertEquals(2, meta.chunks().size());
            assertFalse(meta.chunks().isV2());
            ChunkInfo c0 = meta.chunks().get(0);
            ChunkInfo c1 = meta.chunks().get(1);
            assertEquals(new ChunkInfo(0, 0, 4828, 0, 16931, true, 1, 0), c0);
            assertEquals(new ChunkInfo(1, 4828, 2974, 0x5000, 13400, true, 1, 0), c1);
            for (String path : List.of("/lib.rs", "/sync_io.rs")) {
                ChunkRef ref = img.chunks(img.resolve(path).getAsLong()).get(0);
                ChunkInfo ci = meta.chunks().get(ref.chunkIndex());
                assertEquals(ref.compressedOffset(), ci.compressedOffset(), path);
                assertEquals(ref.compressedSize(), ci.compressedSize(), path);
                assertEquals(ref.uncompressedOffset(), ci.uncompressedOffset(), path);
                assertEquals(ref.uncompressedSize(), ci.uncompressedSize(), path);
                assertArrayEquals(ref.digest(), meta.digest(ref.chunkIndex()), path);
                assertEquals(ref, meta.locate(ref, blob.name()), path);
            }
            ChunkRef lib = img.chunks(img.resolve("/lib.rs").getAsLong()).get(0);
            ChunkRef wrong = new ChunkRef(0, 0, lib.blobId(), 1, 0, 0, lib.uncompressedOffset(), lib.uncompressedSize(),
                    true, null, false);
            assertThrows(RafsFormatException.class, () -> meta.locate(wrong, blob.name()));
            BlobToc toc = meta.toc().orElseThrow();
            assertEquals(List.of("image.blob", "blob.meta", "blob.meta.header", "blob.digest"),
                    toc.entries().stream().map(TocEntry::name).toList());
            assertArrayEquals(info.tocDigest(), toc.sha256(), "blob_toc_digest covers TOC entries + header");
            assertEquals(info.tocSize(), blob.size() - toc.offset());
        }
    }

    @Test
    void blobIdIsSha256OfTheBlobWithoutTheDigestArray() throws Exception {
        byte[] all = Fixtures.bytes(Fixtures.V6_BLOB);
        ByteArrayOutputStream without = new ByteArrayOutputStream();
        without.write(all, 0, 12954);
        without.write(all, 13018, all.length - 13018);
        String id = HexFormat.of().formatHex(DigestAlgorithm.SHA256.digest(without.toByteArray()));
        assertEquals(Fixtures.V6_BLOB.substring(Fixtures.V6_BLOB.lastIndexOf('/') + 1), id);
    }

    @Test
    void zranChunkInfoV2EntriesAndContexts() throws Exception {
        byte[] meta = Fixtures.bytes(Fixtures.ZRAN_META);
        int hOff = meta.length - BlobMetaHeader.SIZE;
        BlobMetaHeader h = BlobMetaHeader.parse(java.util.Arrays.copyOfRange(meta, hOff, meta.length), "zran", hOff);
        assertEquals(0xF, h.features());
        assertEquals(163, h.ciEntries());
        assertEquals(21, h.ciZranCount());
        assertEquals(3912, h.ciZranOffset());
        assertEquals(660112, h.ciUncompressedSize());
        ChunkInfoArray a = new ChunkInfoArray("zran", java.util.Arrays.copyOf(meta, (int) h.ciUncompressedSize()),
                h.ciEntries(), true);
        long prevEnd = 0;
        for (int i = 0; i < a.size(); i++) {
            ChunkInfo c = a.get(i);
            assertTrue((c.flags() & 0x02) != 0, "zran flag on entry " + i);
            assertTrue(c.data() >>> 32 < h.ciZranCount(), "zran context index of entry " + i);
            assertEquals(0, c.uncompressedOffset() % 4096);
            assertTrue(c.uncompressedOffset() >= prevEnd, "uncompressed offsets increase at " + i);
            prevEnd = c.uncompressedOffset() + c.uncompressedSize();
        }
        ChunkInfo first = a.get(0);
        assertEquals(184, first.compressedOffset());
        assertEquals(649, first.compressedSize());
        assertEquals(0x57b + 1, first.uncompressedSize());
        assertEquals(1024, first.data());
    }
}
