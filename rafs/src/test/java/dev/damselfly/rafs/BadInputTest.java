package dev.damselfly.rafs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.blob.ByteArrayBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.rafs.inspect.TreeWalker;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Corrupt, truncated and unsupported inputs end in typed errors that name the input and the offset.
 * Offsets refer to {@code rafs-v6-2.2.boot}: root nid 128 at 12288 (inline dirents at 12352), {@code /lib.rs}
 * nid 133 at 12448 with its chunk index at 12512.
 */
class BadInputTest {
    static final int ROOT_DIRENTS = 12352;
    static final int LIB_RS = 12448;
    static final int LIB_RS_INDEX = 12512;

    private static ByteBuffer v6() throws Exception {
        return ByteBuffer.wrap(Fixtures.bytes(Fixtures.V6_BOOT)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static RafsFormatException openFails(String name, byte[] bytes) {
        RafsFormatException e = assertThrows(RafsFormatException.class, () -> RafsImages.open(name, bytes));
        assertEquals(name, e.input());
        assertTrue(e.getMessage().startsWith(name), e.getMessage());
        return e;
    }

    @Test
    void aMakefileIsNotABootstrap() throws Exception {
        RafsFormatException e = openFails("image.boot", Fixtures.tarGzEntry(Fixtures.INVALID_LAYER, "image/image.boot"));
        assertEquals(0, e.offset());
    }

    @Test
    void emptyAndTinyInputs() {
        openFails("empty", new byte[0]);
        openFails("tiny", new byte[100]);
        openFails("zeros", new byte[8192]);
    }

    @Test
    void truncatedBootstraps() throws Exception {
        byte[] full = Fixtures.bytes(Fixtures.V6_BOOT);
        assertEquals(1064, openFails("cut", Arrays.copyOf(full, 4096)).offset(), "meta_blkaddr points past the end");
        openFails("cut", Arrays.copyOf(full, 1100));
        openFails("cut", Arrays.copyOf(full, 12300));
        openFails("cut", Arrays.copyOf(full, 16400));
        byte[] v5 = Fixtures.bytes(Fixtures.V5_SHA256);
        // opening is lazy: the superblock and tables are intact, the walk hits the cut
        RafsImage lazy = RafsImages.open("cut5", Arrays.copyOf(v5, 9000));
        RafsFormatException e = assertThrows(RafsFormatException.class, () -> TreeWalker.walk(lazy, (p, d, a) -> { }));
        assertEquals("cut5", e.input());
        assertTrue(e.offset() > 0 && e.offset() <= 9000, e.getMessage());
        openFails("cut5", Arrays.copyOf(v5, 4000));
    }

    @Test
    void wrongMagicAndUnsupportedFeatures() throws Exception {
        ByteBuffer b = v6();
        b.putInt(1024, 0x12345678);
        openFails("magic", b.array());

        b = v6();
        b.putLong(1152, b.getLong(1152) | 0x400);
        assertTrue(openFails("flags", b.array()) instanceof UnsupportedRafsFeatureException);

        b = v6();
        b.putInt(1104, 0xD);
        assertTrue(openFails("incompat", b.array()) instanceof UnsupportedRafsFeatureException);

        b = v6();
        b.putInt(4096 + 76, 7);
        assertEquals(4096 + 76, openFails("compressor", b.array()).offset());

        b = v6();
        b.putInt(1172, 3000);
        openFails("chunk size", b.array());
    }

    @Test
    void chunkIndexesOutOfRange() throws Exception {
        ByteBuffer b = v6();
        b.putShort(LIB_RS_INDEX, (short) 0x100);
        RafsImage img = RafsImages.open("ci", b.array());
        RafsFormatException e = assertThrows(RafsFormatException.class, () -> img.chunks(133));
        assertEquals(LIB_RS_INDEX, e.offset());
        assertEquals(133, e.inode());

        b = v6();
        b.put(LIB_RS_INDEX + 2, (byte) 5);
        RafsImage img2 = RafsImages.open("blob", b.array());
        assertThrows(RafsFormatException.class, () -> img2.chunks(133));
    }

    @Test
    void directoryCycleIsDetected() throws Exception {
        ByteBuffer b = v6();
        b.putLong(ROOT_DIRENTS + 24, 128);
        b.put(ROOT_DIRENTS + 24 + 10, (byte) 2);
        RafsImage img = RafsImages.open("cycle", b.array());
        RafsFormatException e = assertThrows(RafsFormatException.class, () -> TreeWalker.walk(img, (p, d, a) -> { }));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    @Test
    void absurdSizes() throws Exception {
        ByteBuffer b = v6();
        b.putLong(LIB_RS + 8, 1L << 60);
        RafsImage img = RafsImages.open("size", b.array());
        assertThrows(RafsFormatException.class, () -> img.chunks(133));
        assertThrows(RafsFormatException.class, () -> img.chunks(133, 1L << 59, 10));

        b = v6();
        b.putLong(12288 + 8, 1L << 40);
        RafsImage img2 = RafsImages.open("dirsize", b.array());
        assertThrows(RafsFormatException.class, () -> img2.readDir(128));

        b = v6();
        b.putLong(LIB_RS + 8, -5);
        RafsImage img3 = RafsImages.open("negative", b.array());
        assertThrows(RafsFormatException.class, () -> img3.stat(133));

        RafsImage ok = RafsImages.open("nid", v6().array());
        assertThrows(RafsFormatException.class, () -> ok.stat(1L << 40));
        assertThrows(RafsFormatException.class, () -> ok.stat(-1));
    }

    @Test
    void truncatedAndCorruptBlobs() throws Exception {
        byte[] blob = Fixtures.bytes(Fixtures.V6_BLOB);
        try (RafsImage img = RafsImages.open(Fixtures.path(Fixtures.V6_BOOT))) {
            FileContentReader cut = new FileContentReader(img,
                    i -> new ByteArrayBlobByteSource("cut.blob", Arrays.copyOf(blob, 5000)), true);
            RafsFormatException e = assertThrows(RafsFormatException.class, () -> cut.read(136, 0, 10));
            assertEquals("cut.blob", e.input());
            assertEquals(4828, e.offset());

            byte[] bad = blob.clone();
            for (int i = 100; i < 200; i++) {
                bad[i] ^= 0x5A;
            }
            FileContentReader corrupt = new FileContentReader(img, i -> new ByteArrayBlobByteSource("bad.blob", bad), true);
            assertThrows(RafsException.class, () -> corrupt.read(133, 0, 10));
        }
    }
}
