package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.accesslog.AccessLogEntry;
import dev.damselfly.testkit.accesslog.AccessLogSlice;
import dev.damselfly.testkit.debian.DebianImage;
import dev.damselfly.testkit.debian.TreeListing;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.skopeo.Skopeo;
import dev.damselfly.testkit.support.TempDirs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 5 on a real root filesystem: the Debian bookworm image (minbase + python3-minimal), converted by
 * {@code damselfly convert}, is mounted straight from a real registry with {@code damselfly mount IMAGE MNT
 * --no-node}. Starting a shell and python3 in a chroot of the mount fetches a small part of the blob (Range
 * requests, counted in the registry's access log, checked first while the mount is cold); the whole mounted
 * tree then equals the source rootfs (bytes, modes, owners, symlinks, hard links, devices, xattrs); and an
 * overlayfs with the mount as its lower layer takes a write and a delete.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianMountEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DebianImage IMAGE = DebianImage.bookwormWithPython();
    /** Largest share of the image's blob bytes that starting sh and python3 may fetch: 25 %. */
    private static final double LAZY_LIMIT = 0.25;

    private Path work;
    private RegistryServer registry;
    private String ref;
    private Set<String> blobDigests;
    private long blobBytes;
    private Path mountpoint;
    private Path mountErr;
    private Process mount;

    @BeforeAll
    void convertAndMount() throws Exception {
        IMAGE.layoutDir(); // the shared debootstrap + umoci cache, built before any process of ours starts
        work = TempDirs.create("damselfly-debian-mount-");
        registry = RegistryServer.start(RegistryAuth.none());
        String src = IMAGE.push(Skopeo.create(), registry.hostPort(), "debian/oci", "bookworm");
        ref = registry.hostPort() + "/debian/nydus:bookworm";
        DamselflyProcess.Result convert = DamselflyProcess.run(null, "convert", src, ref);
        assertEquals(0, convert.exitCode(), convert.describe());
        JsonNode manifest = JSON.readTree(Skopeo.create().run(List.of("inspect", "--raw", "--tls-verify=false", "docker://" + ref)));
        blobDigests = new HashSet<>();
        for (JsonNode layer : manifest.path("layers")) {
            if ("true".equals(layer.path("annotations").path("containerd.io/snapshot/nydus-blob").asText())) {
                blobDigests.add(layer.path("digest").asText());
                blobBytes += layer.path("size").asLong();
            }
        }
        assertFalse(blobDigests.isEmpty(), manifest.toString());

        mountpoint = Files.createDirectories(work.resolve("mnt"));
        mountErr = work.resolve("mount.err");
        AccessLog.Mark beforeMount = registry.accessLog().mark();
        mount = DamselflyProcess.start(mountErr, "mount", ref, mountpoint.toString(), "--no-node",
                "--cache-dir", work.resolve("cache").toString());
        BufferedReader out = new BufferedReader(new InputStreamReader(mount.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("mounted "), line + "\n" + Files.readString(mountErr));
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // the mount process ended
            }
        }, "debian-mount-stdout");
        drain.setDaemon(true);
        drain.start();
        registry.accessLog().awaitSettled(Duration.ofMillis(300), Duration.ofSeconds(5));
        System.out.printf("mount: %d blob bytes fetched while mounting (bootstrap layer and blob reads)%n",
                registry.accessLog().since(beforeMount).bytesServed(AccessLogEntry::isBlobGet));
    }

    @AfterAll
    void unmount() throws Exception {
        try {
            if (mount != null) {
                DamselflyProcess.Result umount = DamselflyProcess.run(null, "umount", mountpoint.toString());
                if (umount.exitCode() != 0) {
                    new ProcessBuilder("fusermount", "-u", mountpoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
                }
                if (!mount.waitFor(20, TimeUnit.SECONDS)) {
                    mount.destroy();
                    mount.waitFor(15, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (mount != null && mount.isAlive()) {
                mount.destroyForcibly();
            }
            if (registry != null) {
                registry.close();
            }
            if (work != null && !isMountPoint(mountpoint)) {
                TempDirs.deleteRecursively(work);
            }
        }
    }

    @Test
    @Order(1)
    void aShellAndPythonStartFetchingASmallPartOfTheImage() throws Exception {
        Predicate<AccessLogEntry> blobRead = e -> e.isBlobGet() && e.reference().map(blobDigests::contains).orElse(false);
        AccessLog.Mark mark = registry.accessLog().mark();
        assertEquals("ok\n", chroot("/bin/sh", "-c", "echo ok"));
        registry.accessLog().awaitSettled(Duration.ofMillis(300), Duration.ofSeconds(5));
        long shell = registry.accessLog().since(mark).bytesServed(blobRead);
        assertEquals("1\n", chroot("python3", "-c", "print(1)"));
        registry.accessLog().awaitSettled(Duration.ofMillis(300), Duration.ofSeconds(5));
        AccessLogSlice reads = registry.accessLog().since(mark).filter(blobRead);
        long both = reads.bytesServed(e -> true);
        System.out.printf("lazy start: sh fetched %d bytes (%.1f%%), sh + python3 %d bytes (%.1f%%) of %d blob bytes in %d ranged GETs%n",
                shell, 100.0 * shell / blobBytes, both, 100.0 * both / blobBytes, blobBytes, reads.size());
        assertTrue(shell > 0, "the shell was read from the registry");
        assertTrue(both < LAZY_LIMIT * blobBytes, "starting sh and python3 fetched " + both + " of " + blobBytes + " blob bytes");
        assertEquals(0, reads.count(e -> e.status() != 206), "blob reads are Range requests only:\n" + reads);
    }

    @Test
    @Order(2)
    void theMountedTreeIsTheSourceRootfs() {
        long start = System.nanoTime();
        var mounted = TreeListing.of(mountpoint);
        System.out.printf("walked and read %d entries of the mount: %.1f s%n", mounted.size(), (System.nanoTime() - start) / 1e9);
        assertEquals("", TreeListing.describeDifferences(TreeListing.of(IMAGE.tree()), mounted));
    }

    @Test
    @Order(3)
    void anOverlayOnTheMountTakesAWriteAndADelete() throws Exception {
        Path upper = Files.createDirectories(work.resolve("overlay/upper"));
        Path workdir = Files.createDirectories(work.resolve("overlay/work"));
        Path merged = Files.createDirectories(work.resolve("overlay/merged"));
        run("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + mountpoint + ",upperdir=" + upper + ",workdir=" + workdir,
                merged.toString());
        try {
            Files.writeString(merged.resolve("etc/written-by-test"), "hello\n");
            Files.delete(merged.resolve("etc/debian_version"));
            assertEquals("hello\n", Files.readString(merged.resolve("etc/written-by-test")));
            assertFalse(Files.exists(merged.resolve("etc/debian_version"), LinkOption.NOFOLLOW_LINKS));
            assertTrue(Files.isRegularFile(mountpoint.resolve("etc/debian_version")), "the lower mount is unchanged");
            assertFalse(Files.exists(mountpoint.resolve("etc/written-by-test")));
            assertEquals("hello\n", Files.readString(upper.resolve("etc/written-by-test")));
            assertEquals("0:0", TreeListing.device((Long) Files.getAttribute(upper.resolve("etc/debian_version"), "unix:rdev",
                    LinkOption.NOFOLLOW_LINKS)), "overlayfs whiteout in the upper dir");
            assertEquals("1\n", run("chroot", merged.toString(), "python3", "-c", "print(1)"));
        } finally {
            run("umount", merged.toString());
        }
    }

    private String chroot(String... command) throws Exception {
        List<String> c = new ArrayList<>(List.of("chroot", mountpoint.toString()));
        c.addAll(List.of(command));
        return run(c.toArray(String[]::new));
    }

    private String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + out + "\n--- mount stderr\n" + mountStderrTail());
        return out;
    }

    private String mountStderrTail() throws IOException {
        List<String> lines = Files.readAllLines(mountErr);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static boolean isMountPoint(Path p) throws IOException {
        return p != null && Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + p + " ");
    }
}
