package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import dev.damselfly.rafs.tar.LayerTarEntry;
import dev.damselfly.rafs.tar.TarEntryKind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class V6BootstrapWriterTest {

    @Test
    void rewritingTheBlobTableGivesWhatAWholeWriteGives() throws Exception {
        V6BootstrapWriter writer = writer();
        byte[] first = writer.write(blobs("a".repeat(64), 0, new byte[32]));
        byte[] tocDigest = new byte[32];
        Arrays.fill(tocDigest, (byte) 0x5A);
        List<V6BootstrapWriter.BlobEntry> finished = blobs("b".repeat(64), 1234, tocDigest);

        byte[] rewritten = writer.rewriteBlobs(first.clone(), finished);

        assertArrayEquals(writer().write(finished), rewritten);
        assertFalse(Arrays.equals(first, rewritten), "the blob id and TOC are in the bootstrap");
    }

    @Test
    void aBootstrapTheWriterDidNotWriteLastIsRefused() throws Exception {
        V6BootstrapWriter writer = writer();
        List<V6BootstrapWriter.BlobEntry> blobs = blobs("a".repeat(64), 0, new byte[32]);
        assertThrows(IllegalArgumentException.class, () -> writer.rewriteBlobs(new byte[8192], blobs), "nothing written");
        byte[] first = writer.write(blobs);
        assertThrows(IllegalArgumentException.class,
                () -> writer.rewriteBlobs(Arrays.copyOf(first, first.length + 4096), blobs));
    }

    /** A tree of a directory, two files (one chunk each, one shared) and a symlink. */
    private static V6BootstrapWriter writer() throws Exception {
        FsTree tree = new FsTree();
        tree.add(entry("etc", TarEntryKind.DIRECTORY, 0, null));
        FsNode a = tree.add(entry("etc/a", TarEntryKind.REGULAR, 10, null));
        FsNode b = tree.add(entry("etc/b", TarEntryKind.REGULAR, 10, null));
        tree.add(entry("etc/c", TarEntryKind.SYMLINK, 0, "a"));
        ChunkList chunks = new ChunkList();
        byte[] digest = new byte[32];
        Arrays.fill(digest, (byte) 7);
        int only = chunks.add(digest, 0, 10, 0, 10, false, 0, 0);
        a.inode.chunks = new int[] {only};
        b.inode.chunks = new int[] {only};
        return new V6BootstrapWriter(tree.root(), List.of(chunks), LayerBuildOptions.defaults());
    }

    private static LayerTarEntry entry(String path, TarEntryKind kind, long size, String target) {
        return new LayerTarEntry(path, 0, List.of(path.split("/")), kind, kind == TarEntryKind.DIRECTORY ? 0755 : 0644,
                0, 0, 1_700_000_000L, size, target, 0, 0, List.of());
    }

    private static List<V6BootstrapWriter.BlobEntry> blobs(String id, long tocSize, byte[] tocDigest) {
        BlobDescriptor desc = new BlobDescriptor(id, 0, 4096, 4096, Compression.NONE, 10, 24, 24, tocSize, tocDigest);
        return List.of(new V6BootstrapWriter.BlobEntry(desc, 1, Compression.ZSTD, DigestAlgorithm.BLAKE3));
    }
}
