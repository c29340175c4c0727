package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafsmount.source.BlobSource;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every fixture that has its blob mounts, and every file reads back with the SHA-256 of its expected listing. */
class FixtureContentTest {
    @TempDir
    Path tmp;

    @Test
    void rafsV6ZstdBlake3() throws Exception {
        check(Fixtures.V6_BOOT, FileBlobSource.directory(Fixtures.path(Fixtures.V6_BLOBS)), "rafs-v6-2.2.boot.txt");
    }

    @Test
    void rafsV5Sha256Uncompressed() throws Exception {
        check(Fixtures.V5_SHA256, FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS)), "sha256-nocompress-repeatable.txt");
    }

    @Test
    void rafsV5Blake3() throws Exception {
        check(Fixtures.V5_BLAKE3, FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS)), "blake3-lz4_block-non_repeatable.txt");
    }

    /** Plain mkfs.erofs image: its device has no tag, so the blob file is given directly (nydusd blob_file). */
    @Test
    void plainErofsChunkedImage() throws Exception {
        check(Fixtures.EROFS_META, FileBlobSource.singleFile(Fixtures.path(Fixtures.EROFS_BLOB)), "erofs-utils-1.5-chunked.txt");
    }

    private void check(String boot, BlobSource source, String listing) throws Exception {
        Map<String, String> expected = Fixtures.expectedSha256(listing);
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (MountHandle m = RafsMount.mount(Fixtures.path(boot), mp, MountOptions.of(source).withCache(tmp.resolve("cache"), 1L << 30))) {
            for (Map.Entry<String, String> e : expected.entrySet()) {
                Path f = mp.resolve(e.getKey().substring(1));
                assertTrue(Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS), e.getKey());
                assertEquals(e.getValue(), Sha256.of(f), e.getKey());
            }
            assertTrue(m.isMounted());
        } finally {
            ((AutoCloseable) source).close();
        }
        assertFalse(MountTableView.mounted(mp), "still mounted after close: " + mp);
    }
}
