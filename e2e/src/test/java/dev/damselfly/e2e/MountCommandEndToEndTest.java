package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code damselfly mount} and {@code damselfly umount} as real processes on the upstream Nydus 2.2 fixture:
 * files read through the FUSE mount have the SHA-256 of the expected listing; umount ends the mount process.
 */
class MountCommandEndToEndTest {
    @TempDir
    Path work;

    @Test
    void mountReadsVerifiedFilesAndUmountEndsIt() throws Exception {
        Path texture = Path.of(System.getProperty("damselfly.fixtures", "missing"), "dragonflyoss-nydus/tests/texture");
        Path bootstrap = texture.resolve("bootstrap/rafs-v6-2.2.boot");
        assertTrue(Files.isRegularFile(bootstrap), "fixtures missing at " + texture);
        Path mountpoint = Files.createDirectories(work.resolve("mnt"));
        Path trace = work.resolve("trace.txt");
        Path stderr = work.resolve("mount.err");
        Process mount = DamselflyProcess.start(stderr, "mount", bootstrap.toString(), mountpoint.toString(),
                "--blob-dir", texture.resolve("blobs").toString(), "--cache-dir", work.resolve("cache").toString(),
                "--access-trace", trace.toString(), "--prefetch", "ALL", "--prefetch-bandwidth", "100MiB");
        boolean unmounted = false;
        try {
            String line = new BufferedReader(new InputStreamReader(mount.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(line != null && line.startsWith("mounted "), line + "\n" + Files.readString(stderr));
            assertEquals("1810eba864521293bb0d6b55a3c82318d4d89f294ed761c456d9088a17de0c69", sha256(mountpoint.resolve("lib.rs")));
            assertEquals("e629ab260ff0dc02a24648a3e0dd8c13a5daf233d535c330e3201925f5eeff96", sha256(mountpoint.resolve("sync_io.rs")));
            DamselflyProcess.Result umount = DamselflyProcess.run(null, "umount", mountpoint.toString());
            assertEquals(0, umount.exitCode(), umount.describe());
            unmounted = true;
            assertTrue(mount.waitFor(20, TimeUnit.SECONDS), "the mount process exits after umount");
            assertEquals(0, mount.exitValue(), Files.readString(stderr));
            assertEquals("/lib.rs\n/sync_io.rs", Files.readString(trace).strip(), "access trace in first-read order");
        } finally {
            if (!unmounted) {
                new ProcessBuilder("fusermount", "-u", mountpoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
            mount.destroy();
            mount.waitFor(15, TimeUnit.SECONDS);
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
