package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.build.LayerBuildOptions;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.source.FileBlobSource;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FuseTransport#KERNEL_URING}: with the fuse module's {@code enable_uring} on, requests go through the
 * io_uring ring entries and every name and byte comes out as through {@code /dev/fuse}; with it off the same mount
 * stays on {@code /dev/fuse}. Needs root and Linux 6.14+ built with {@code CONFIG_FUSE_IO_URING} (the CI machine's
 * kernel); the parameter is put back as it was.
 */
class KernelUringTransportTest {
    private static final Path ENABLE_URING = Path.of("/sys/module/fuse/parameters/enable_uring");
    private static final Path IO_URING_DISABLED = Path.of("/proc/sys/kernel/io_uring_disabled");
    private static final int NAMES = 300;

    @TempDir
    Path tmp;

    private String enabledBefore;

    @BeforeEach
    void rememberParameter() throws Exception {
        assertTrue(Files.isWritable(ENABLE_URING), ENABLE_URING + " is missing: this kernel has no FUSE over io_uring");
        enabledBefore = Files.readString(ENABLE_URING).trim();
    }

    @AfterEach
    void restoreParameter() throws Exception {
        Files.writeString(ENABLE_URING, "Y".equals(enabledBefore) || "1".equals(enabledBefore) ? "1" : "0");
    }

    private BuiltImage image() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        LayerTarBuilder tar = LayerTarBuilder.create().directory("many", 0755);
        for (int i = 0; i < NAMES; i++) {
            String path = String.format("many/file-with-a-longer-name-%05d", i);
            byte[] bytes = i % 30 == 0 ? DeterministicBytes.bytes(i, 1_500_000 + i) : ("file " + i + "\n").getBytes(StandardCharsets.UTF_8);
            files.put(path, bytes);
            tar.file(path, 0644, bytes);
        }
        return BuiltImage.build(tmp.resolve("image"), tar, LayerBuildOptions.defaults().withChunkSize(256 << 10), files);
    }

    private static MountHandle mountOverRings(BuiltImage image, FileBlobSource blobs, Path mp) throws Exception {
        return RafsMount.mount(image.bootstrap(), mp, MountOptions.of(blobs).withTransport(FuseTransport.KERNEL_URING));
    }

    /** Every file of {@code image} reads through {@code mp} with its own bytes. */
    private static void everyFileReads(BuiltImage image, Path mp) throws Exception {
        for (Map.Entry<String, byte[]> f : image.files().entrySet()) {
            assertArrayEquals(f.getValue(), Files.readAllBytes(mp.resolve(f.getKey())), f.getKey());
        }
    }

    /**
     * Looks up new names until one is answered through the rings (the kernel switches to them once every CPU queue
     * has an entry; until then {@code /dev/fuse} answers); returns the ring requests so far.
     */
    private static long awaitRings(MountHandle m, Path mp) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; m.ringRequests() == 0 && System.nanoTime() < deadline; i++) {
            assertFalse(Files.exists(mp.resolve("missing-" + i))); // a LOOKUP each: a new name every time
            Thread.sleep(5);
        }
        assertTrue(m.ringRequests() > 0, "no request came through the io_uring rings");
        return m.ringRequests();
    }

    @Test
    void requestsGoThroughTheRingsAndEveryNameAndByteIsThere() throws Exception {
        Files.writeString(ENABLE_URING, "1");
        BuiltImage image = image();
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource blobs = FileBlobSource.directory(image.blobDir());
             MountHandle m = mountOverRings(image, blobs, mp)) {
            long before = awaitRings(m, mp);

            Process find = new ProcessBuilder("find", mp.resolve("many").toString(), "-mindepth", "1", "-printf", "%f %s\n")
                    .redirectErrorStream(true).start();
            List<String> lines = new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertTrue(find.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, find.exitValue(), String.join("\n", lines));
            Set<String> want = new TreeSet<>();
            image.files().forEach((path, bytes) -> want.add(path.substring("many/".length()) + " " + bytes.length));
            assertEquals(want, new TreeSet<>(lines), "every name once, with its size");
            everyFileReads(image, mp);
            int read = image.files().size();
            assertTrue(m.ringRequests() - before >= read,
                    "each file's READ through the rings: " + (m.ringRequests() - before) + " requests for " + read + " files");
        }
        assertFalse(MountTableView.mounted(mp));
    }

    /** Hard links, symlinks, holes, xattrs, owners and modes of a real nydus-image fixture, as the reader sees them. */
    @Test
    void theTreeThroughTheRingsMatchesTheReader() throws Exception {
        Files.writeString(ENABLE_URING, "1");
        Path boot = Fixtures.path(Fixtures.V5_SHA256);
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        long from = Instant.now().getEpochSecond();
        try (RafsImage image = RafsImages.open(boot);
             FileBlobSource blobs = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS));
             MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(blobs).withTransport(FuseTransport.KERNEL_URING))) {
            long before = awaitRings(m, mp);
            TreeComparison c = new TreeComparison(image, mp, from, Instant.now().getEpochSecond());
            c.compare();
            assertTrue(c.entries > 50, "entries " + c.entries);
            assertTrue(m.ringRequests() - before > c.entries / 2, "the comparison's requests came through the rings");
        }
    }

    @Test
    void withoutTheModuleParameterTheMountStaysOnDevFuse() throws Exception {
        Files.writeString(ENABLE_URING, "0");
        BuiltImage image = image();
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource blobs = FileBlobSource.directory(image.blobDir());
             MountHandle m = mountOverRings(image, blobs, mp)) {
            everyFileReads(image, mp);
            assertEquals(0, m.ringRequests());
        }
        assertFalse(MountTableView.mounted(mp));
    }

    /**
     * The kernel offers the rings but this process may not set up an io_uring ({@code kernel.io_uring_disabled=2},
     * as a seccomp profile would refuse it): the mount does not agree to the rings and serves on {@code /dev/fuse}.
     */
    @Test
    void whenIoUringIsRefusedTheMountStaysOnDevFuse() throws Exception {
        Files.writeString(ENABLE_URING, "1");
        String disabledBefore = Files.readString(IO_URING_DISABLED).trim();
        BuiltImage image = image();
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Files.writeString(IO_URING_DISABLED, "2");
        try (FileBlobSource blobs = FileBlobSource.directory(image.blobDir());
             MountHandle m = mountOverRings(image, blobs, mp)) {
            everyFileReads(image, mp);
            assertEquals(0, m.ringRequests());
            assertTrue(m.isMounted());
        } finally {
            Files.writeString(IO_URING_DISABLED, disabledBefore);
        }
        assertFalse(MountTableView.mounted(mp));
    }
}
