package dev.damselfly.rafs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.inspect.TreeWalker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The version-independent API on the real 2022 image, in both its v6 and v5 forms. */
class FixtureImageApiTest {
    static RafsImage v6;
    static RafsImage v5;

    @BeforeAll
    static void open() throws Exception {
        v6 = RafsImages.open("v6 image.boot", Fixtures.tarGzEntry(Fixtures.V6_LAYER, "image/image.boot"));
        v5 = RafsImages.open("v5 image.boot", Fixtures.tarGzEntry(Fixtures.V5_LAYER, "image/image.boot"));
    }

    @AfterAll
    static void close() {
        v6.close();
        v5.close();
    }

    @Test
    void versionsAndImageLevelFacts() {
        assertEquals(RafsVersion.V6, v6.version());
        assertEquals(RafsVersion.V5, v5.version());
        assertEquals(1 << 20, v6.chunkSize());
        assertEquals(List.of(142L), v6.prefetchHandles());
        assertFalse(v6.explicitUidGid());
        assertEquals("cdde6f5645daea414d60bc75611102a8bc8dae6198f087366365d6ff85bf5726", v6.blobs().get(0).blobId());
        assertEquals(2515, v6.blobs().get(0).chunkCount());
    }

    @Test
    void lookupStatAndSymlinks() throws Exception {
        long bin = v6.resolve("/bin").getAsLong();
        assertEquals(142, bin);
        assertEquals(FileType.SYMLINK, v6.stat(bin).type());
        assertEquals("usr/bin", new String(v6.readLink(bin), StandardCharsets.UTF_8));
        long bash = v6.resolve("/usr/bin/bash").getAsLong();
        InodeAttributes a = v6.stat(bash);
        assertEquals(966, a.handle());
        assertEquals(1396520, a.size());
        assertEquals(0755, a.permissions());
        assertEquals(1641486213L, a.mtimeSeconds());
        assertEquals(bash, v6.resolve("/usr/./lib/../bin//bash").getAsLong());
        assertFalse(v6.resolve("/usr/bin/no-such-file").isPresent());
        assertFalse(v6.resolve("/bin/bash").isPresent(), "symlinks are not followed");
        assertEquals(v6.rootHandle(), v6.resolve("/..").getAsLong());
    }

    @Test
    void preTwoOneHardLinksAreSeparateInodesWithEqualIno() throws Exception {
        for (RafsImage img : List.of(v6, v5)) {
            InodeAttributes perl = img.stat(img.resolve("/usr/bin/perl").getAsLong());
            InodeAttributes perl5 = img.stat(img.resolve("/usr/bin/perl5.34.0").getAsLong());
            assertNotEquals(perl.handle(), perl5.handle());
            assertEquals(381, perl.ino());
            assertEquals(perl.ino(), perl5.ino());
            assertEquals(2, perl.nlink());
        }
    }

    @Test
    void chunkRangesMapToTheRightChunks() throws Exception {
        long perl = v6.resolve("/usr/bin/perl").getAsLong();
        List<ChunkRef> all = v6.chunks(perl);
        assertEquals(4, all.size());
        assertEquals(List.of(263L, 264L, 265L, 266L), all.stream().map(ChunkRef::chunkIndex).toList());
        assertEquals(2830L * 4096, all.get(1).uncompressedOffset());
        for (ChunkRef c : all) {
            assertTrue(c.compressed(), "lz4 chunk " + c);
            assertEquals(32, c.digest().length);
            assertTrue(c.compressedSize() < c.uncompressedSize());
        }
        List<ChunkRef> two = v6.chunks(perl, (1 << 20) - 1, 2);
        assertEquals(List.of(all.get(0), all.get(1)), two);
        assertEquals(List.of(all.get(3)), v6.chunks(perl, 3806263, 100));
        assertTrue(v6.chunks(perl, 3806264, 100).isEmpty());
        assertTrue(v6.chunks(perl, 0, 0).isEmpty());
        // the v5 twin references the same data (same digests and sizes), in its own blob layout
        List<ChunkRef> v5chunks = v5.chunks(v5.resolve("/usr/bin/perl").getAsLong());
        assertEquals(4, v5chunks.size());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(all.get(i).digest(), v5chunks.get(i).digest());
            assertEquals(all.get(i).uncompressedSize(), v5chunks.get(i).uncompressedSize());
        }
    }

    @Test
    void v5AndV6TreesAreIdentical() throws Exception {
        List<String> a = listing(v6);
        List<String> b = listing(v5);
        assertEquals(3517, a.size());
        assertEquals(a, b);
    }

    private static List<String> listing(RafsImage img) throws RafsException {
        List<String> out = new ArrayList<>();
        TreeWalker.walk(img, (path, depth, a) -> {
            String extra = a.type() == FileType.SYMLINK ? new String(img.readLink(a.handle()), StandardCharsets.UTF_8)
                    : a.type() == FileType.DIRECTORY ? "" : String.valueOf(a.size());
            out.add(path + " " + Integer.toOctalString(a.mode()) + " " + a.uid() + ":" + a.gid() + " " + a.nlink()
                    + " " + a.ino() + " " + extra);
        });
        return out;
    }
}
