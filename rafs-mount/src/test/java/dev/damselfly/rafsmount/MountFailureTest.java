package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafsmount.MountException.Reason;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mount that cannot start says why, and leaves nothing mounted; close unmounts even when a file is open. */
class MountFailureTest {
    @TempDir
    Path tmp;

    private MountOptions options() {
        return MountOptions.of(FileBlobSource.directory(Fixtures.path(Fixtures.V6_BLOBS)));
    }

    @Test
    void notABootstrap() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Path makefile = TarGz.extract(Fixtures.path(Fixtures.INVALID_LAYER), "image/image.boot", tmp.resolve("image.boot"));
        MountException e = assertThrows(MountException.class, () -> RafsMount.mount(makefile, mp, options()));
        assertEquals(Reason.NOT_A_BOOTSTRAP, e.reason());
        assertTrue(e.getMessage().contains("not a RAFS bootstrap"), e.getMessage());
        assertFalse(MountTableView.mounted(mp));
    }

    @Test
    void missingBootstrap() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        MountException e = assertThrows(MountException.class, () -> RafsMount.mount(tmp.resolve("nope.boot"), mp, options()));
        assertEquals(Reason.BOOTSTRAP_UNREADABLE, e.reason());
    }

    @Test
    void mountpointNotEmpty() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Files.writeString(mp.resolve("something"), "x");
        MountException e = assertThrows(MountException.class, () -> RafsMount.mount(Fixtures.path(Fixtures.V6_BOOT), mp, options()));
        assertEquals(Reason.MOUNTPOINT_NOT_EMPTY, e.reason());
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void mountpointMissing() {
        MountException e = assertThrows(MountException.class,
                () -> RafsMount.mount(Fixtures.path(Fixtures.V6_BOOT), tmp.resolve("absent"), options()));
        assertEquals(Reason.MOUNTPOINT_NOT_DIRECTORY, e.reason());
    }

    @Test
    void mountpointBusy() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (MountHandle first = RafsMount.mount(Fixtures.path(Fixtures.V6_BOOT), mp, options())) {
            MountException e = assertThrows(MountException.class, () -> RafsMount.mount(Fixtures.path(Fixtures.V6_BOOT), mp, options()));
            assertEquals(Reason.MOUNTPOINT_BUSY, e.reason());
            assertTrue(first.isMounted());
        }
        assertFalse(MountTableView.mounted(mp));
    }

    @Test
    void cacheDirectoryInUse() throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        Path cache = tmp.resolve("cache");
        try (MountHandle first = RafsMount.mount(Fixtures.path(Fixtures.V6_BOOT), a, options().withCache(cache, 1 << 20))) {
            MountException e = assertThrows(MountException.class,
                    () -> RafsMount.mount(Fixtures.path(Fixtures.V6_BOOT), b, options().withCache(cache, 1 << 20)));
            assertEquals(Reason.CACHE_UNAVAILABLE, e.reason());
            assertFalse(MountTableView.mounted(b));
        }
    }

    /** close() with a file still open detaches the mount anyway (lazily), leaving no stale mount behind. */
    @Test
    void closeWithAnOpenFileLeavesNoMount() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        MountHandle m = RafsMount.mount(Fixtures.path(Fixtures.V6_BOOT), mp, options());
        try (var in = Files.newInputStream(mp.resolve("lib.rs"))) {
            assertTrue(MountTableView.mounted(mp));
            m.close();
            assertFalse(MountTableView.mounted(mp));
        } catch (java.io.IOException closedUnderUs) {
            // closing the stream of a detached mount may fail; the point is the mount table
        } finally {
            m.close();
        }
        assertFalse(MountTableView.mounted(mp));
    }
}
