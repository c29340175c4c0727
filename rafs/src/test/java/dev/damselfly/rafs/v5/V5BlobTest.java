package dev.damselfly.rafs.v5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.ChunkDigestMismatchException;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.Fixtures;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.ByteArrayBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.rafs.chunk.ChunkRecord;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import dev.damselfly.rafs.inspect.TreeWalker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

/** v5 data paths: the uncompressed blob with digest verification, and real lz4_block chunks. */
class V5BlobTest {

    /** Every distinct chunk record of the blake3 image, by compressed offset in the uncompressed blob. */
    private static TreeMap<Long, ChunkRecord> chunks(V5Image img) throws Exception {
        TreeMap<Long, ChunkRecord> out = new TreeMap<>();
        List<Long> files = new ArrayList<>();
        TreeWalker.walk(img, (p, d, a) -> {
            if (a.type() == FileType.REGULAR) {
                files.add(a.handle());
            }
        });
        for (long h : files) {
            for (ChunkRecord c : img.chunkRecords(h)) {
                out.put(c.compressedOffset(), c);
            }
        }
        return out;
    }

    /**
     * The lz4 blob belongs to the 2021 build of this tree (its bootstrap is not in the fixtures). Raw LZ4
     * blocks carry no length, so the test walks the blob from offset 0: at each position it finds the chunk
     * of the bootstrap whose size and BLAKE3 digest fit, decoding with {@link Compression#LZ4_BLOCK} on the
     * exact block. The first two chunks are found this way (the third differs from this build's chunks),
     * which is enough to prove real lz4_block data decodes.
     */
    @Test
    void realLz4BlockChunksDecodeToTheirBlake3Digests() throws Exception {
        byte[] lz4 = Fixtures.bytes(Fixtures.V5_LZ4_BLOB);
        try (RafsImage image = RafsImages.open(Fixtures.path(Fixtures.V5_BLAKE3))) {
            TreeMap<Long, ChunkRecord> records = chunks((V5Image) image);
            assertEquals(23, records.size());
            int pos = 0;
            int matched = 0;
            search:
            while (pos < lz4.length) {
                for (ChunkRecord c : records.values()) {
                    int usize = (int) c.uncompressedSize();
                    int used;
                    try {
                        used = LZ4Factory.safeInstance().fastDecompressor().decompress(lz4, pos, new byte[usize], 0, usize);
                    } catch (RuntimeException e) {
                        continue;
                    }
                    byte[] data = Compression.LZ4_BLOCK.decompress(Arrays.copyOfRange(lz4, pos, pos + used), usize, "lz4", pos);
                    if (Arrays.equals(c.digest(), DigestAlgorithm.BLAKE3.digest(data))) {
                        matched++;
                        pos += used;
                        continue search;
                    }
                }
                break;
            }
            assertTrue(matched >= 2, "lz4 chunks matched: " + matched);
            assertEquals(1615, pos);
        }
    }

    @Test
    void corruptedChunkIsReportedWithBothDigests() throws Exception {
        byte[] blob = Fixtures.bytes(Fixtures.V5_BLOB);
        try (RafsImage img = RafsImages.open(Fixtures.path(Fixtures.V5_SHA256))) {
            long h = img.resolve("/normal-file-test/test.sh").getAsLong();
            long at = img.chunks(h).get(0).compressedOffset();
            blob[(int) at + 10] ^= 0x40;
            FileContentReader r = new FileContentReader(img, i -> new ByteArrayBlobByteSource("peer-x", blob), true);
            ChunkDigestMismatchException e = assertThrows(ChunkDigestMismatchException.class, () -> r.read(h, 0, 100));
            assertEquals("peer-x", e.source());
            assertTrue(e.getMessage().contains(e.expected()) && e.getMessage().contains(e.actual()));
            // unverified reads return the (corrupt) bytes
            assertEquals(100, new FileContentReader(img, i -> new ByteArrayBlobByteSource("peer-x", blob), false).read(h, 0, 100).length);
        }
    }

    @Test
    void hardLinkNamesShareInoAndContent() throws Exception {
        try (RafsImage img = RafsImages.open(Fixtures.path(Fixtures.V5_SHA256))) {
            long a = img.resolve("/hardlink-test/foo").getAsLong();
            long b = img.resolve("/normal-file-test/test.sh").getAsLong();
            assertEquals(img.stat(a).ino(), img.stat(b).ino());
            assertEquals(3, img.stat(a).nlink());
            assertEquals(img.chunks(a), img.chunks(b));
            assertEquals("/////////////////", new String(img.readLink(img.resolve("/symlink-test/root-1").getAsLong())));
        }
    }
}
