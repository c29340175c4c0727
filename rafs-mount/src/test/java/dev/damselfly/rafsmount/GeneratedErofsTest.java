package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image made here by mkfs.erofs (Debian erofs-utils) from a tree with user xattrs, device nodes, a FIFO,
 * hard and symbolic links, a non-ASCII name and precise mtimes: the mount shows what the reader says, and the
 * file bytes equal the source tree's (an oracle independent of our reader).
 */
class GeneratedErofsTest {
    @TempDir
    Path tmp;

    @Test
    void metadataXattrsDevicesAndContentMatchTheSourceTree() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        Path dir = Files.createDirectory(src.resolve("dir"));
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        Path a = Files.write(dir.resolve("a.bin"), big);
        Files.createLink(dir.resolve("a-link.bin"), a);
        Files.createSymbolicLink(src.resolve("s"), Path.of("dir/a.bin"));
        Files.writeString(src.resolve("größe.txt"), "non-ascii name\n");
        Files.write(src.resolve("empty"), new byte[0]);
        UserDefinedFileAttributeView xv = Files.getFileAttributeView(a, UserDefinedFileAttributeView.class);
        try {
            xv.write("color", ByteBuffer.wrap("blue".getBytes(StandardCharsets.UTF_8)));
            xv.write("empty", ByteBuffer.allocate(0));
        } catch (FileSystemException e) {
            fail("the temporary directory's filesystem does not take user xattrs: " + e);
        }
        run("mkfifo", src.resolve("fifo").toString());
        run("mknod", src.resolve("null").toString(), "c", "1", "3");
        run("mknod", src.resolve("loop9").toString(), "b", "7", "9");
        run("chown", "1234:5678", dir.resolve("a.bin").toString());
        Files.setLastModifiedTime(src.resolve("größe.txt"), FileTime.from(Instant.ofEpochSecond(1_600_000_000L, 123_456_789)));
        Path meta = tmp.resolve("meta.img");
        Path blob = tmp.resolve("blob.img");
        run("mkfs.erofs", "--quiet", "--chunksize=4096", "--blobdev=" + blob, meta.toString(), src.toString());

        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        long from = Instant.now().getEpochSecond();
        try (RafsImage image = RafsImages.open(meta);
             FileBlobSource source = FileBlobSource.singleFile(blob);
             MountHandle m = RafsMount.mount(meta, mp, MountOptions.of(source))) {
            TreeComparison c = new TreeComparison(image, mp, from, Instant.now().getEpochSecond());
            c.compare();
            assertEquals(4, c.xattrsChecked, "user xattrs compared (2 names of a hard-linked file × 2)");
            assertArrayEquals(big, Files.readAllBytes(mp.resolve("dir/a.bin")));
            assertArrayEquals(big, Files.readAllBytes(mp.resolve("dir/a-link.bin")));
            assertEquals("non-ascii name\n", Files.readString(mp.resolve("größe.txt")));
            assertEquals(0, Files.size(mp.resolve("empty")));
            assertEquals(Path.of("dir/a.bin"), Files.readSymbolicLink(mp.resolve("s")));
            assertEquals(Files.getAttribute(src.resolve("loop9"), "unix:rdev", LinkOption.NOFOLLOW_LINKS),
                    Files.getAttribute(mp.resolve("loop9"), "unix:rdev", LinkOption.NOFOLLOW_LINKS));
            assertEquals(Files.getAttribute(src.resolve("null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS),
                    Files.getAttribute(mp.resolve("null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS));
            assertTrue(Files.readAttributes(mp.resolve("fifo"), "unix:mode", LinkOption.NOFOLLOW_LINKS).get("mode") instanceof Integer mode
                    && (mode & 0170000) == 0010000, "fifo type");
            UserDefinedFileAttributeView mv = Files.getFileAttributeView(mp.resolve("dir/a.bin"), UserDefinedFileAttributeView.class);
            ByteBuffer v = ByteBuffer.allocate(mv.size("color"));
            mv.read("color", v);
            assertEquals("blue", new String(v.array(), StandardCharsets.UTF_8));
            assertThrows(IOException.class, () -> mv.size("missing"));
            assertThrows(IOException.class, () -> Files.write(mp.resolve("dir/a.bin"), new byte[1], StandardOpenOption.APPEND));
            assertThrows(IOException.class, () -> Files.createFile(mp.resolve("new")));
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail(cmd[0] + " is not installed (mkfs.erofs: Debian package erofs-utils): " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }
}
