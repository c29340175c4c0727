package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.BlobToc;
import dev.damselfly.rafs.blob.ByteArrayBlobByteSource;
import dev.damselfly.rafs.blob.TarHeader;
import dev.damselfly.rafs.blob.TocEntry;
import dev.damselfly.testkit.image.TestTrees;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blob is laid out as spec §3.1 says (sections each followed by a GNU tar header, in the order
 * image.blob, blob.meta, blob.digest, image.boot, rafs.blob.toc), the TOC describes those sections with
 * SHA-256 digests (§3.7), the blob-meta header matches the blob table (§3.5), and both blob ids are what
 * §3.3 defines.
 */
class BlobLayoutTest {
    @TempDir
    Path dir;

    @Test
    void sectionsHeadersTocAndIds() throws Exception {
        LayerBuildResult r = new LayerBuilder().build(new ByteArrayInputStream(TestTrees.allEntryTypes(2).toByteArray()),
                dir.resolve("boot"), dir.resolve("blob"));
        byte[] blob = Files.readAllBytes(r.blob());
        // walk the tar headers backwards
        List<String> names = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>();
        long end = blob.length;
        while (end > 0) {
            TarHeader h = TarHeader.parse(Arrays.copyOfRange(blob, (int) end - 512, (int) end), "blob", end - 512);
            names.add(0, h.name());
            ranges.add(0, new long[] {end - 512 - h.size(), h.size()});
            end = end - 512 - h.size();
        }
        assertEquals(List.of("image.blob", "blob.meta", "blob.digest", "image.boot", "rafs.blob.toc"), names);
        assertEquals(0, ranges.get(0)[0]);
        assertEquals(r.chunkDataSize(), ranges.get(0)[1]);

        BlobToc toc = BlobToc.read(new ByteArrayBlobByteSource("blob", blob));
        assertEquals(List.of("image.blob", "blob.meta", "blob.meta.header", "blob.digest", "image.boot"),
                toc.entries().stream().map(TocEntry::name).toList());
        TocEntry data = toc.entries().get(0);
        assertEquals(0, data.compressedOffset());
        assertEquals(r.chunkDataSize(), data.compressedSize());
        assertEquals(r.uncompressedSize(), data.uncompressedSize());
        assertArrayEquals(sha(blob, 0, r.chunkDataSize() + 512), data.digest(), "image.blob digest covers data + header");
        TocEntry digests = toc.entries().get(3);
        assertEquals(ranges.get(2)[0], digests.compressedOffset());
        assertEquals(32 * r.chunkCount(), digests.compressedSize());
        assertArrayEquals(sha(blob, digests.compressedOffset(), digests.compressedSize()), digests.digest());

        try (RafsImage img = RafsImages.open(r.bootstrap())) {
            BlobInfo info = img.blobs().get(0);
            assertEquals(LayerBuilder.FEATURES, info.features());
            assertEquals(ranges.get(1)[0], info.ciOffset());
            assertEquals(ranges.get(1)[1], info.ciCompressedSize() + 4096);
            ByteBuffer h = ByteBuffer.wrap(blob, (int) (info.ciOffset() + info.ciCompressedSize()), 4096).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0xB10BB10B, h.getInt(0));
            assertEquals(info.features(), h.getInt(4) & 0xFFFFFFFFL);
            assertEquals(info.chunkCount(), h.getInt(12));
            assertEquals(0xB10BB10B, h.getInt(4092));
            assertEquals(ranges.get(3)[0], info.compressedSize(), "compressed size = bytes before image.boot (§4.5)");
        }
        // ids: whole-file SHA-256, and the builder id over the bytes before image.boot minus the digest array
        assertEquals(HexFormat.of().formatHex(sha(blob, 0, blob.length)), r.blobId());
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(blob, 0, (int) digests.compressedOffset());
        md.update(blob, (int) (digests.compressedOffset() + digests.compressedSize()), 512);
        assertEquals(HexFormat.of().formatHex(md.digest()), r.builderBlobId());
    }

    private static byte[] sha(byte[] b, long off, long len) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b, (int) off, (int) len);
        return md.digest();
    }
}
