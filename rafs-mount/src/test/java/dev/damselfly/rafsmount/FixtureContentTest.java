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
import dev.damselfly.rafsmount.fuse.FuseTransport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fixture that has its blob mounts, and every file reads back with the SHA-256 of its expected listing, through
 * either FUSE transport.
 */
class FixtureContentTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void rafsV6ZstdBlake3(FuseTransport transport) throws Exception {
        check(Fixtures.V6_BOOT, FileBlobSource.directory(Fixtures.path(Fixtures.V6_BLOBS)), "rafs-v6-2.2.boot.txt", transport);
    }

    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void rafsV5Sha256Uncompressed(FuseTransport transport) throws Exception {
        check(Fixtures.V5_SHA256, FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS)), "sha256-nocompress-repeatable.txt", transport);
    }

    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void rafsV5Blake3(FuseTransport transport) throws Exception {
        check(Fixtures.V5_BLAKE3, FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS)), "blake3-lz4_block-non_repeatable.txt", transport);
    }

    /** Plain mkfs.erofs image: its device has no tag, so the blob file is given directly (nydusd blob_file). */
    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void plainErofsChunkedImage(FuseTransport transport) throws Exception {
        check(Fixtures.EROFS_META, FileBlobSource.singleFile(Fixtures.path(Fixtures.EROFS_BLOB)), "erofs-utils-1.5-chunked.txt", transport);
    }

    private void check(String boot, BlobSource source, String listing, FuseTransport transport) throws Exception {
        Map<String, String> expected = Fixtures.expectedSha256(listing);
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (MountHandle m = RafsMount.mount(Fixtures.path(boot), mp, MountOptions.of(source)
                .withCache(tmp.resolve("cache"), 1L << 30).withTransport(transport))) {
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
