package dev.damselfly.rafs.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.luben.zstd.Zstd;
import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.Fixtures;
import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A layer blob alone is enough to read its layer: the per-layer bootstrap is found through the TOC
 * (zstd, SHA-256 checked) or, without a TOC, by walking the tar headers backwards. The blobs are assembled
 * here around the real 2.2 blob and bootstrap in the layout of §3.1 (no upstream fixture has both).
 */
class InlinedBootstrapTest {

    private static byte[] blobWithInlineBoot(boolean toc, boolean corruptDigest) throws Exception {
        byte[] data = Fixtures.bytes(Fixtures.V6_BLOB);
        byte[] boot = Fixtures.bytes(Fixtures.V6_BOOT);
        // keep chunk data + CI + header sections (everything before the digest array of the original blob)
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(data, 0, 12954);
        byte[] stored = toc ? Zstd.compress(boot) : boot;
        long bootOffset = out.size();
        out.write(stored);
        out.write(TestTar.header("image.boot", stored.length));
        if (toc) {
            ByteBuffer e = ByteBuffer.allocate(TocEntry.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            e.putInt(0, (int) TocEntry.FLAG_ZSTD);
            e.put(8, "image.boot".getBytes(StandardCharsets.US_ASCII));
            byte[] sha = DigestAlgorithm.SHA256.digest(boot);
            if (corruptDigest) {
                sha[0] ^= 1;
            }
            e.put(24, sha);
            e.putLong(56, bootOffset);
            e.putLong(64, stored.length);
            e.putLong(72, boot.length);
            out.write(e.array());
            out.write(TestTar.header("rafs.blob.toc", TocEntry.SIZE));
        }
        return out.toByteArray();
    }

    @Test
    void foundThroughTheToc() throws Exception {
        try (RafsImage img = InlinedBootstrap.open(new ByteArrayBlobByteSource("layer.blob", blobWithInlineBoot(true, false)))) {
            assertEquals(List.of("lib.rs", "sync_io.rs"), img.readDir(img.rootHandle()).stream().map(DirEntry::nameString).toList());
            assertEquals("layer.blob!image.boot", img.name());
        }
    }

    @Test
    void foundByWalkingTarHeadersWithoutAToc() throws Exception {
        byte[] boot = InlinedBootstrap.extract(new ByteArrayBlobByteSource("old.blob", blobWithInlineBoot(false, false)));
        assertEquals(Fixtures.bytes(Fixtures.V6_BOOT).length, boot.length);
    }

    @Test
    void digestMismatchIsRejected() throws Exception {
        RafsFormatException e = assertThrows(RafsFormatException.class,
                () -> InlinedBootstrap.extract(new ByteArrayBlobByteSource("bad.blob", blobWithInlineBoot(true, true))));
        assertEquals("bad.blob", e.input());
    }

    @Test
    void blobWithoutInlineBootstrapIsATypedError() throws Exception {
        RafsFormatException e = assertThrows(RafsFormatException.class,
                () -> InlinedBootstrap.extract(new FileBlobByteSource(Fixtures.path(Fixtures.V6_BLOB))));
        assertEquals(Fixtures.path(Fixtures.V6_BLOB).toString(), e.input());
    }
}
