package dev.damselfly.testkit.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listing sees every field a rootfs comparison needs, and a change to any of them is a difference. */
class TreeListingTest {
    @TempDir
    Path dir;

    @Test
    void listsTypesModesLinksDevicesXattrsAndContent() throws Exception {
        Path t = makeTree(dir.resolve("a"));
        SortedMap<String, TreeEntry> l = TreeListing.of(t);
        assertEquals(List.of("/", "/bin", "/bin/tool", "/bin/tool-alias", "/dev", "/dev/null", "/etc", "/etc/conf",
                "/etc/link"), List.copyOf(l.keySet()));
        TreeEntry conf = l.get("/etc/conf");
        assertEquals(0100640, conf.mode());
        assertEquals(4, conf.size());
        assertEquals("3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7", conf.sha256()); // sha256("data")
        assertEquals(Map.of("user.note", "6869"), conf.xattrs());
        assertEquals("conf", l.get("/etc/link").linkTarget());
        assertEquals(4, l.get("/etc/link").size());
        assertEquals("1:3", l.get("/dev/null").device());
        assertEquals("/bin/tool", l.get("/bin/tool").hardLinkGroup());
        assertEquals("/bin/tool", l.get("/bin/tool-alias").hardLinkGroup());
        assertNull(conf.hardLinkGroup());
        assertEquals(1234, l.get("/bin/tool").gid());
        assertEquals("", TreeListing.describeDifferences(l, TreeListing.of(makeTree(dir.resolve("b")))));
    }

    @Test
    void everyKindOfChangeIsReported() throws Exception {
        SortedMap<String, TreeEntry> expected = TreeListing.of(makeTree(dir.resolve("a")));
        Path b = makeTree(dir.resolve("b"));
        Files.setPosixFilePermissions(b.resolve("etc/conf"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(b.resolve("bin/tool"), "#!/bin/sh\necho other\n");
        Files.delete(b.resolve("bin/tool-alias"));
        Files.copy(b.resolve("bin/tool"), b.resolve("bin/tool-alias"));
        run("setfattr", "-x", "user.note", b.resolve("etc/conf").toString());
        Files.delete(b.resolve("etc/link"));
        Files.createSymbolicLink(b.resolve("etc/link"), Path.of("elsewhere"));
        Files.createFile(b.resolve("extra"));
        Files.delete(b.resolve("dev/null"));
        String d = TreeListing.describeDifferences(expected, TreeListing.of(b));
        assertTrue(d.contains("/etc/conf: mode 100640 -> 100644; xattrs {user.note=6869} -> {}"), d);
        assertTrue(d.contains("/bin/tool: size"), d);
        assertTrue(d.contains("hardLinkGroup /bin/tool -> null"), d);
        assertTrue(d.contains("/etc/link: size 4 -> 9; linkTarget conf -> elsewhere"), d);
        assertTrue(d.contains("missing /dev/null"), d);
        assertTrue(d.contains("unexpected /extra"), d);
    }

    @Test
    void getfattrQuotingIsUndone() {
        Map<String, Map<String, String>> x = TreeListing.parseGetfattr(
                "# file: .\nuser.root=0x01\n\n# file: ./a\\040b/c\\\\d\nsecurity.capability=0x0100000200200000\nuser.empty\n");
        assertEquals(Map.of("user.root", "01"), x.get("/"));
        assertEquals(Map.of("security.capability", "0100000200200000", "user.empty", ""), x.get("/a b/c\\d"));
    }

    private static Path makeTree(Path root) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("etc/conf"), "data");
        Files.setPosixFilePermissions(root.resolve("etc/conf"), PosixFilePermissions.fromString("rw-r-----"));
        run("setfattr", "-n", "user.note", "-v", "hi", root.resolve("etc/conf").toString());
        Files.createSymbolicLink(root.resolve("etc/link"), Path.of("conf"));
        Files.writeString(root.resolve("bin/tool"), "#!/bin/sh\necho tool\n");
        Files.setPosixFilePermissions(root.resolve("bin/tool"), PosixFilePermissions.fromString("rwxr-xr-x"));
        run("chown", "0:1234", root.resolve("bin/tool").toString());
        Files.createLink(root.resolve("bin/tool-alias"), root.resolve("bin/tool"));
        run("mknod", "-m", "666", root.resolve("dev/null").toString(), "c", "1", "3");
        return root;
    }

    private static void run(String... command) throws Exception {
        Commands.Result r = Commands.run(List.of(command), null, Duration.ofSeconds(20));
        assertEquals(0, r.exitCode(), String.join(" ", command) + "\n" + r.tail());
    }
}
