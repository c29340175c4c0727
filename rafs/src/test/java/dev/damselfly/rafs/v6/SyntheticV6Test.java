package dev.damselfly.rafs.v6;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.WrongInodeTypeException;
import dev.damselfly.rafs.Xattr;
import dev.damselfly.rafs.blob.ByteArrayBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Inode kinds the fixtures lack, on a bootstrap written by {@link SyntheticV6Builder}. */
class SyntheticV6Test {
    static SyntheticV6Builder b;
    static SyntheticV6Builder.Node big;
    static SyntheticV6Builder.Node attrs;
    static SyntheticV6Builder.Node small;
    static RafsImage img;

    @BeforeAll
    static void build() throws Exception {
        b = new SyntheticV6Builder();
        SyntheticV6Builder.Node root = b.root();
        SyntheticV6Builder.Node many = b.dir(root, "many");
        for (int i = 0; i < 300; i++) {
            b.file(many, String.format("entry_%03d_with_a_long_enough_name_to_fill_blocks.txt", i), i % 7);
        }
        big = b.file(root, "big", 2 * SyntheticV6Builder.CHUNK + 12345);
        b.file(root, "empty", 0);
        small = b.file(root, "small", 5000).compact().owner(65534, 65533);
        attrs = b.file(root, "attrs", 10).xattr("user.foo", "bar").xattr("security.capability", "cap")
                .xattr("trusted.empty", "");
        b.symlink(root, "short", "big");
        b.symlink(root, "long", "/" + "x".repeat(120));
        b.special(root, "null", 0020666, (1 << 8) | 3);
        b.special(root, "sda1", 0060660, (8 << 8) | 1);
        b.special(root, "huge-minor", 0020600, (4 << 8) | (300 & 0xFF) | ((300 & ~0xFF) << 12));
        b.special(root, "fifo", 0010644, 0);
        b.special(root, "sock", 0140755, 0);
        b.hardlink(many, "big-link", big);
        b.dir(root, "-dash-sorts-before-dot");
        img = RafsImages.open("synthetic", b.build());
    }

    private static long nid(String path) throws Exception {
        return img.resolve(path).orElseThrow(() -> new AssertionError("no " + path));
    }

    @Test
    void specialFilesKeepTypeAndRdev() throws Exception {
        InodeAttributes n = img.stat(nid("/null"));
        assertEquals(FileType.CHAR_DEVICE, n.type());
        assertEquals(1, n.rdevMajor());
        assertEquals(3, n.rdevMinor());
        InodeAttributes s = img.stat(nid("/sda1"));
        assertEquals(FileType.BLOCK_DEVICE, s.type());
        assertEquals(8, s.rdevMajor());
        assertEquals(1, s.rdevMinor());
        assertEquals(300, img.stat(nid("/huge-minor")).rdevMinor());
        assertEquals(FileType.FIFO, img.stat(nid("/fifo")).type());
        assertEquals(FileType.SOCKET, img.stat(nid("/sock")).type());
        assertEquals(0755, img.stat(nid("/sock")).permissions());
    }

    @Test
    void directoryEntriesAreSortedAndCarryTypes() throws Exception {
        List<DirEntry> root = img.readDir(img.rootHandle());
        List<String> names = root.stream().map(DirEntry::nameString).toList();
        assertEquals(List.of("-dash-sorts-before-dot", "attrs", "big", "empty", "fifo", "huge-minor", "long", "many",
                "null", "sda1", "short", "small", "sock"), names);
        assertEquals(FileType.SOCKET, root.get(names.indexOf("sock")).type());
        assertEquals(FileType.SYMLINK, root.get(names.indexOf("long")).type());
        // "." and ".." are found by lookup although readDir hides them
        assertEquals(img.rootHandle(), img.lookup(nid("/many"), "..".getBytes()).getAsLong());
        assertEquals(nid("/many"), img.lookup(nid("/many"), ".".getBytes()).getAsLong());
    }

    @Test
    void multiBlockPlainDirectoryLookupFindsEveryName() throws Exception {
        long many = nid("/many");
        InodeAttributes a = img.stat(many);
        assertTrue(a.size() > 2 * SyntheticV6Builder.BS, "directory spans several blocks: " + a.size());
        List<DirEntry> entries = img.readDir(many);
        assertEquals(301, entries.size());
        for (DirEntry e : entries) {
            assertEquals(e.handle(), img.lookup(many, e.name()).getAsLong(), e.nameString());
        }
        assertFalse(img.lookup(many, "entry_150".getBytes()).isPresent());
        assertFalse(img.lookup(many, "zzz".getBytes()).isPresent());
        assertFalse(img.lookup(many, "0".getBytes()).isPresent());
    }

    @Test
    void symlinksInlineAndPlain() throws Exception {
        assertEquals("big", new String(img.readLink(nid("/short")), StandardCharsets.UTF_8));
        assertEquals("/" + "x".repeat(120), new String(img.readLink(nid("/long")), StandardCharsets.UTF_8));
        assertEquals(0, ((V6Image) img).inode(nid("/long")).layout());
        assertThrows(WrongInodeTypeException.class, () -> img.readLink(nid("/big")));
        assertThrows(WrongInodeTypeException.class, () -> img.readDir(nid("/big")));
        assertThrows(WrongInodeTypeException.class, () -> img.chunks(nid("/many")));
    }

    @Test
    void xattrsWithEveryPrefix() throws Exception {
        List<Xattr> x = img.xattrs(nid("/attrs"));
        assertEquals(List.of("user.foo=bar", "security.capability=cap", "trusted.empty="),
                x.stream().map(Xattr::toString).toList());
        assertTrue(img.xattrs(nid("/big")).isEmpty());
        assertEquals(0x20, img.flags() & 0x20);
    }

    @Test
    void hardLinksShareTheNid() throws Exception {
        assertEquals(nid("/big"), nid("/many/big-link"));
        assertEquals(2, img.stat(nid("/big")).nlink());
    }

    @Test
    void compactInodeReportsOwnerAndBuildTime() throws Exception {
        InodeAttributes a = img.stat(nid("/small"));
        assertEquals(65534, a.uid());
        assertEquals(65533, a.gid());
        assertEquals(5000, a.size());
        assertEquals(0, a.mtimeSeconds());
        assertFalse(((V6Image) img).inode(a.handle()).extended());
        InodeAttributes e = img.stat(nid("/big"));
        assertEquals(1_600_000_000L, e.mtimeSeconds());
        assertEquals(123, e.mtimeNanos());
        assertEquals(1000, e.uid());
    }

    @Test
    void chunkMappingUsesSuperblockChunkSize() throws Exception {
        long h = nid("/big");
        long cs = SyntheticV6Builder.CHUNK;
        assertEquals(3, img.chunks(h).size());
        List<ChunkRef> mid = img.chunks(h, cs - 1, 2);
        assertEquals(2, mid.size());
        assertEquals(0, mid.get(0).fileOffset());
        assertEquals(cs, mid.get(1).fileOffset());
        ChunkRef last = img.chunks(h, 2 * cs + 5, 1).get(0);
        assertEquals(12345, last.uncompressedSize());
        assertEquals(mid.get(1).uncompressedOffset() + cs, last.uncompressedOffset());
        assertEquals(0, last.uncompressedOffset() % SyntheticV6Builder.BS);
        assertEquals(2, last.chunkIndex() - mid.get(0).chunkIndex());
        assertTrue(img.chunks(h, 3 * cs, 10).isEmpty());
        assertTrue(img.chunks(nid("/empty")).isEmpty());
    }

    @Test
    void fileBytesReadBackAndVerify() throws Exception {
        FileContentReader r = new FileContentReader(img, i -> new ByteArrayBlobByteSource("blob", b.blob()), true);
        byte[] all = SyntheticV6Builder.contentOf(big);
        assertArrayEquals(all, r.read(nid("/big"), 0, all.length));
        assertArrayEquals(Arrays.copyOfRange(all, 1048570, 1048600), r.read(nid("/big"), 1048570, 30));
        assertArrayEquals(Arrays.copyOfRange(all, all.length - 5, all.length), r.read(nid("/big"), all.length - 5, 100));
        assertArrayEquals(SyntheticV6Builder.contentOf(small), r.read(nid("/small"), 0, 10_000));
        assertEquals(0, r.read(nid("/empty"), 0, 10).length);
    }
}
