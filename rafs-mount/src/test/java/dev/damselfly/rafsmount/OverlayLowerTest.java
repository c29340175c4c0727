package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.damselfly.rafsmount.fuse.MountTable;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FUSE mount as the read-only lower layer of a real kernel overlayfs, like a container root: files read
 * through the overlay, a new file and a modified one (copy-up) land in the upper directory, the lower mount is
 * unchanged, and both unmount cleanly (overlay first). Needs root and the overlay module; fails, never skips,
 * when the kernel refuses (with its dmesg lines in the message).
 */
class OverlayLowerTest {
    private static final String EDITED = "etc/hostname";
    private static final String BIG = "usr/lib/a.bin";

    @TempDir
    Path tmp;

    @Test
    void overlayOnTheMountAcceptsWritesAndLeavesTheLowerUnchanged() throws Exception {
        BuiltImage img = BuiltImage.small(tmp.resolve("img"));
        Path lower = Files.createDirectory(tmp.resolve("lower"));
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        Path merged = Files.createDirectory(tmp.resolve("merged"));
        try (FileBlobSource files = FileBlobSource.directory(img.blobDir());
             MountHandle m = RafsMount.mount(img.bootstrap(), lower, MountOptions.of(files))) {
            mountOverlay(lower, upper, work, merged);
            try {
                for (Map.Entry<String, byte[]> f : img.files().entrySet()) {
                    assertArrayEquals(f.getValue(), Files.readAllBytes(merged.resolve(f.getKey())), f.getKey() + " via overlay");
                }
                Files.writeString(merged.resolve("etc/new-file"), "written in the container\n");
                Files.writeString(merged.resolve(EDITED), "changed\n", StandardOpenOption.APPEND);
                byte[] bigEdited = img.files().get(BIG).clone();
                bigEdited[70_000] ^= 1;
                try (var ch = java.nio.channels.FileChannel.open(merged.resolve(BIG), StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(new byte[] {bigEdited[70_000]}), 70_000);
                }
                Files.delete(merged.resolve("usr/bin/tool"));

                assertEquals("written in the container\n", Files.readString(merged.resolve("etc/new-file")));
                assertEquals("damselfly\nchanged\n", Files.readString(merged.resolve(EDITED)));
                assertArrayEquals(bigEdited, Files.readAllBytes(merged.resolve(BIG)), "copy-up of a multi-chunk file");
                assertFalse(Files.exists(merged.resolve("usr/bin/tool")), "deleted through a whiteout");
                assertEquals("damselfly\nchanged\n", Files.readString(upper.resolve(EDITED)), "copied up");
                assertTrue(Files.exists(upper.resolve("etc/new-file")));
                assertTrue(Files.exists(upper.resolve("usr/bin/tool"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                        "whiteout in the upper directory");

                for (Map.Entry<String, byte[]> f : img.files().entrySet()) {
                    assertArrayEquals(f.getValue(), Files.readAllBytes(lower.resolve(f.getKey())), f.getKey() + " unchanged below");
                }
                assertFalse(Files.exists(lower.resolve("etc/new-file")), "nothing written into the lower mount");
            } finally {
                run("umount", merged.toString());
            }
            assertFalse(MountTable.isMountPoint(merged), "overlay unmounted");
            assertTrue(m.isMounted(), "the FUSE mount outlives the overlay");
        }
        assertFalse(MountTable.isMountPoint(lower), "FUSE mount unmounted");
    }

    private static void mountOverlay(Path lower, Path upper, Path work, Path merged) throws Exception {
        String opts = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
        String out = exec(List.of("mount", "-t", "overlay", "overlay", "-o", opts, merged.toString()));
        if (out != null) {
            fail("the kernel refused overlayfs with the FUSE mount as lowerdir: " + out + "\nkernel log:\n" + dmesgTail());
        }
    }

    private static void run(String... cmd) throws Exception {
        String out = exec(List.of(cmd));
        if (out != null) {
            fail(String.join(" ", cmd) + ": " + out);
        }
    }

    /** Runs {@code cmd}; null on success, else its exit status and output. */
    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out.trim();
    }

    private static String dmesgTail() {
        try {
            Process p = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
            List<String> lines = List.of(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n"));
            p.waitFor(10, TimeUnit.SECONDS);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | InterruptedException e) {
            return "(dmesg failed: " + e + ")";
        }
    }
}
