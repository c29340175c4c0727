package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.build.LayerBuildOptions;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.fuse.MountTable;
import dev.damselfly.rafsmount.source.FileBlobSource;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kernel transport (Damselfly's own FUSE protocol implementation) must get right beyond the tree
 * comparisons both transports pass: directory listings that take many READDIRPLUS replies, refused writes, names
 * that do not exist, a busy unmount, and which transport a root process picks.
 */
class KernelTransportTest {
    /** Names in the big directory: with 120-byte names about 14 fit one 4 KiB READDIRPLUS reply. */
    private static final int NAMES = 700;

    @TempDir
    Path tmp;

    private BuiltImage bigDirectory() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        LayerTarBuilder tar = LayerTarBuilder.create().directory("many", 0755);
        String pad = "x".repeat(110);
        for (int i = 0; i < NAMES; i++) {
            String path = String.format("many/%s-%05d", pad, i);
            byte[] bytes = (i % 100 == 0) ? DeterministicBytes.bytes(i, 70_000 + i) : ("file " + i + "\n").getBytes(StandardCharsets.UTF_8);
            files.put(path, bytes);
            tar.file(path, i % 2 == 0 ? 0644 : 0600, bytes);
        }
        return BuiltImage.build(tmp.resolve("image"), tar, LayerBuildOptions.defaults().withChunkSize(64 << 10), files);
    }

    @Test
    void aDirectoryOfManyRepliesListsEveryNameOnceWithItsSizeAndMode() throws Exception {
        BuiltImage image = bigDirectory();
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource blobs = FileBlobSource.directory(image.blobDir());
             MountHandle m = RafsMount.mount(image.bootstrap(), mp, MountOptions.of(blobs).withTransport(FuseTransport.KERNEL))) {
            // find lists through READDIRPLUS and stats every name from the attributes it brought
            Process find = new ProcessBuilder("find", mp.resolve("many").toString(), "-mindepth", "1", "-printf", "%f %s %m\n")
                    .redirectErrorStream(true).start();
            List<String> lines = new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertTrue(find.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, find.exitValue(), String.join("\n", lines));
            assertEquals(NAMES, lines.size(), "every name exactly once");
            Set<String> want = new TreeSet<>();
            int i = 0;
            for (Map.Entry<String, byte[]> f : image.files().entrySet()) {
                want.add(f.getKey().substring("many/".length()) + " " + f.getValue().length + " " + (i++ % 2 == 0 ? "644" : "600"));
            }
            assertEquals(want, new TreeSet<>(lines));
            try (Stream<Path> names = Files.list(mp.resolve("many"))) {
                assertEquals(NAMES, names.collect(Collectors.toSet()).size());
            }
            String device = MountTable.deviceOf(mp).orElseThrow();
            assertEquals("1024", Files.readString(Path.of("/sys/class/bdi", device, "read_ahead_kb")).trim(),
                    "sequential reads reach the kernel as 1 MiB requests, not the default 128 KiB");
            for (Map.Entry<String, byte[]> f : image.files().entrySet()) {
                if (f.getValue().length > 1000) {
                    assertArrayEquals(f.getValue(), Files.readAllBytes(mp.resolve(f.getKey())), f.getKey());
                }
            }
        }
        assertFalse(MountTableView.mounted(mp));
    }

    @Test
    void writesAreRefusedAndMissingNamesAreNotFound() throws Exception {
        BuiltImage image = BuiltImage.small(tmp.resolve("image"));
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource blobs = FileBlobSource.directory(image.blobDir());
             MountHandle m = RafsMount.mount(image.bootstrap(), mp, MountOptions.of(blobs).withTransport(FuseTransport.KERNEL))) {
            Path hostname = mp.resolve("etc/hostname");
            FileSystemException write = assertThrows(FileSystemException.class,
                    () -> Files.writeString(hostname, "changed", StandardOpenOption.WRITE));
            assertTrue(String.valueOf(write.getMessage()).contains("Read-only file system"), write.toString());
            assertThrows(FileSystemException.class, () -> Files.createDirectory(mp.resolve("etc/new")));
            assertThrows(FileSystemException.class, () -> Files.delete(hostname));
            for (int i = 0; i < 2; i++) { // the second time from the kernel's negative entry
                assertFalse(Files.exists(mp.resolve("etc/missing")));
                assertFalse(Files.exists(mp.resolve("etc/hostname/below-a-file")));
            }
            assertEquals("damselfly\n", Files.readString(hostname));
        }
    }

    @Test
    void closingWhileAFileIsOpenDetachesTheMountAndItsWorkersEndWhenTheFileIsClosed() throws Exception {
        BuiltImage image = BuiltImage.small(tmp.resolve("image"));
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource blobs = FileBlobSource.directory(image.blobDir())) {
            MountHandle m = RafsMount.mount(image.bootstrap(), mp, MountOptions.of(blobs).withTransport(FuseTransport.KERNEL));
            try (InputStream open = Files.newInputStream(mp.resolve("usr/lib/a.bin"))) {
                assertEquals(1000, open.readNBytes(1000).length);
                m.close(); // busy: detached lazily
                assertFalse(MountTableView.mounted(mp), "detached from the mount table at once");
                assertEquals(1000, open.readNBytes(1000).length, "the open file still reads");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (m.isMounted() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(m.isMounted(), "the request loop ended once the last file was closed");
        }
    }

    @Test
    void aRootProcessUsesTheKernelTransport() throws Exception {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        assertEquals(0, uid, "these tests run as root, as CI and a node agent do");
        assertEquals(FuseTransport.KERNEL, FuseTransport.AUTO.resolve());
        assertEquals(FuseTransport.LIBFUSE, FuseTransport.LIBFUSE.resolve());
    }
}
