package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * stat, readdir, readlink and xattrs seen through the mount equal what the rafs reader says, through either FUSE
 * transport (Damselfly's own kernel protocol implementation and libfuse).
 */
class TreeMatchesReaderTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void rafsV6(FuseTransport transport) throws Exception {
        assertEquals(3, compare(Fixtures.path(Fixtures.V6_BOOT), Fixtures.path(Fixtures.V6_BLOBS), transport).entries);
    }

    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void rafsV5WithHardLinksSymlinksAndHoles(FuseTransport transport) throws Exception {
        TreeComparison c = compare(Fixtures.path(Fixtures.V5_SHA256), Fixtures.path(Fixtures.V5_BLOBS), transport);
        assertTrue(c.entries > 50, "entries " + c.entries);
    }

    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void plainErofs(FuseTransport transport) throws Exception {
        assertTrue(compare(Fixtures.path(Fixtures.EROFS_META), tmp, transport).entries > 200);
    }

    /** A real 3517-inode image (no blob needed: metadata only), with 212 symlinks and hard links. */
    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void realImageBootstrapMetadataOnly(FuseTransport transport) throws Exception {
        Path boot = TarGz.extract(Fixtures.path(Fixtures.V6_LAYER), "image/image.boot", tmp.resolve("image.boot"));
        TreeComparison c = compare(boot, Files.createDirectory(tmp.resolve("no-blobs")), transport);
        assertEquals(3517, c.entries);
    }

    /** statfs: f_namemax 255, f_bsize 512 as nydusd; the store is read-only. */
    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void statfs(FuseTransport transport) throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (MountHandle m = RafsMount.mount(Fixtures.path(Fixtures.V6_BOOT), mp,
                MountOptions.of(FileBlobSource.directory(Fixtures.path(Fixtures.V6_BLOBS))).withTransport(transport))) {
            FileStore fs = Files.getFileStore(mp);
            assertTrue(fs.isReadOnly());
            assertEquals("fuse.rafs", fs.type());
            Process p = new ProcessBuilder("stat", "-f", "-c", "%S %l %c", mp.toString()).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertEquals(0, p.waitFor());
            assertEquals("512 255 3", out);
        }
    }

    private TreeComparison compare(Path boot, Path blobs, FuseTransport transport) throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt-" + boot.getFileName()));
        long from = Instant.now().getEpochSecond();
        try (RafsImage image = RafsImages.open(boot);
             FileBlobSource src = FileBlobSource.directory(blobs);
             MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(src).withTransport(transport))) {
            long to = Instant.now().getEpochSecond();
            TreeComparison c = new TreeComparison(image, mp, from, to);
            c.compare();
            return c;
        }
    }
}
