package dev.damselfly.testkit.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerTarBuilderTest {

    private static Map<String, TarArchiveEntry> readBack(byte[] tar, Map<String, byte[]> contents) throws IOException {
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                entries.put(e.getName(), e);
                if (e.isFile()) {
                    contents.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return entries;
    }

    @Test
    void allEntryTypesAreWrittenAndReadBack() throws IOException {
        byte[] tar = TestTrees.allEntryTypes(5).toByteArray();
        Map<String, byte[]> contents = new LinkedHashMap<>();
        Map<String, TarArchiveEntry> entries = readBack(tar, contents);

        Set<TarEntrySpec.Type> types = EnumSet.noneOf(TarEntrySpec.Type.class);
        for (TarArchiveEntry e : entries.values()) {
            if (e.isSymbolicLink()) {
                types.add(TarEntrySpec.Type.SYMLINK);
            } else if (e.isLink()) {
                types.add(TarEntrySpec.Type.HARDLINK);
            } else if (e.isCharacterDevice()) {
                types.add(TarEntrySpec.Type.CHAR_DEVICE);
            } else if (e.isBlockDevice()) {
                types.add(TarEntrySpec.Type.BLOCK_DEVICE);
            } else if (e.isFIFO()) {
                types.add(TarEntrySpec.Type.FIFO);
            } else if (e.isDirectory()) {
                types.add(TarEntrySpec.Type.DIRECTORY);
            } else if (e.isFile()) {
                types.add(TarEntrySpec.Type.FILE);
            }
            assertEquals(TarEntrySpec.DEFAULT_MTIME, e.getLastModifiedTime().toInstant(), e.getName());
        }
        assertEquals(EnumSet.allOf(TarEntrySpec.Type.class), types);

        assertEquals(0, contents.get(TestTrees.EMPTY_FILE).length);
        assertEquals("damselfly-5\n", new String(contents.get(TestTrees.SMALL_FILE), StandardCharsets.UTF_8));
        assertEquals(TestTrees.COMPRESSIBLE_SIZE, contents.get(TestTrees.COMPRESSIBLE_FILE).length);
        assertArrayEquals(DeterministicBytes.bytes(5, TestTrees.INCOMPRESSIBLE_SIZE), contents.get(TestTrees.INCOMPRESSIBLE_FILE));
        assertTrue(TestTrees.COMPRESSIBLE_SIZE > 3 * TestTrees.MIB && TestTrees.INCOMPRESSIBLE_SIZE > 2 * TestTrees.MIB);

        assertEquals(04755, entries.get(TestTrees.SETUID_FILE).getMode());
        assertEquals(01777, entries.get(TestTrees.STICKY_DIR + "/").getMode());
        assertEquals(02775, entries.get(TestTrees.SETGID_DIR + "/").getMode());
        assertEquals(0700, entries.get(TestTrees.NESTED_DIR + "/").getMode());
        assertEquals(1000, entries.get(TestTrees.NESTED_DIR + "/").getLongUserId());
        assertEquals("user", entries.get(TestTrees.NESTED_DIR + "/").getUserName());
        assertEquals(3_000_000, entries.get(TestTrees.BIG_UID_FILE).getLongUserId());
        assertEquals(3_000_000, entries.get(TestTrees.BIG_UID_FILE).getLongGroupId());

        assertEquals("busybox", entries.get(TestTrees.RELATIVE_SYMLINK).getLinkName());
        assertEquals("/usr/share/zoneinfo/UTC", entries.get(TestTrees.ABSOLUTE_SYMLINK).getLinkName());
        assertEquals("../does/not/exist", entries.get(TestTrees.DANGLING_SYMLINK).getLinkName());
        assertEquals(TestTrees.longTarget(), entries.get(TestTrees.LONG_TARGET_SYMLINK).getLinkName());
        assertTrue(TestTrees.longTarget().length() > 100);
        assertEquals(TestTrees.SETUID_FILE, entries.get(TestTrees.HARD_LINK).getLinkName());
        assertEquals(TestTrees.longName(), entries.get("usr/share/long-name-hardlink").getLinkName());
        assertTrue(entries.containsKey(TestTrees.longName()) && TestTrees.longName().length() > 100);

        assertEquals(1, entries.get(TestTrees.CHAR_DEVICE).getDevMajor());
        assertEquals(3, entries.get(TestTrees.CHAR_DEVICE).getDevMinor());
        assertEquals(7, entries.get(TestTrees.BLOCK_DEVICE).getDevMajor());
        assertTrue(entries.get(TestTrees.FIFO).isFIFO());

        TarArchiveEntry xattrs = entries.get(TestTrees.XATTR_FILE);
        assertEquals("hello", xattrs.getExtraPaxHeader("SCHILY.xattr.user.test"));
        assertEquals("\u0000binary-ish\u0001", xattrs.getExtraPaxHeader("SCHILY.xattr.trusted.overlay.origin"));
        assertArrayEquals(TestTrees.NET_BIND_CAPABILITY, entries.get(TestTrees.SETUID_FILE)
                .getExtraPaxHeader("SCHILY.xattr.security.capability").getBytes(StandardCharsets.UTF_8));

        assertTrue(entries.containsKey(TestTrees.WHITEOUT));
        assertTrue(entries.containsKey(TestTrees.OPAQUE));
        assertTrue(entries.containsKey(TestTrees.UTF8_FILE));
    }

    @Test
    void orderIsSortedWithHardLinksAfterTheirTargets() throws IOException {
        byte[] tar = LayerTarBuilder.create()
                .hardLink("a-link", "z-target")
                .file("z-target", 0644, new byte[] {1})
                .directory("m", 0755)
                .file("m/x", 0600, new byte[0])
                .toByteArray();
        Map<String, TarArchiveEntry> entries = readBack(tar, new LinkedHashMap<>());
        assertEquals(List.of("m/", "m/x", "z-target", "a-link"), new ArrayList<>(entries.keySet()));

        List<String> allOrder = new ArrayList<>(readBack(TestTrees.allEntryTypes(1).toByteArray(), new LinkedHashMap<>()).keySet());
        assertTrue(allOrder.indexOf(TestTrees.SETUID_FILE) < allOrder.indexOf(TestTrees.HARD_LINK));
        assertTrue(allOrder.indexOf("usr/") < allOrder.indexOf("usr/bin/"));
    }

    @Test
    void sameSeedGivesIdenticalBytesDifferentSeedDoesNot() {
        assertArrayEquals(TestTrees.allEntryTypes(9).toByteArray(), TestTrees.allEntryTypes(9).toByteArray());
        assertFalse(java.util.Arrays.equals(TestTrees.allEntryTypes(9).toByteArray(), TestTrees.allEntryTypes(10).toByteArray()));
        assertArrayEquals(TestTrees.simpleLayer(9, 2).toByteArray(), TestTrees.simpleLayer(9, 2).toByteArray());
    }

    @Test
    void gnuTarListsTheLayer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("layer.tar");
        Files.write(file, TestTrees.allEntryTypes(3).toByteArray());
        Process tar = new ProcessBuilder("tar", "--xattrs", "--xattrs-include=*", "-tvvf", file.toString())
                .redirectErrorStream(true).start();
        String listing = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tar.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, tar.exitValue(), listing);
        assertTrue(listing.contains("usr/bin/hardlinked-busybox link to usr/bin/busybox"), listing);
        assertTrue(listing.contains(TestTrees.longName()), listing);
        assertTrue(listing.contains("文件-😀.txt"), listing);
        assertTrue(listing.contains("crw-rw-rw-"), listing);
        assertTrue(listing.contains("brw-rw----"), listing);
        assertTrue(listing.contains("prw-------"), listing);
        assertTrue(listing.contains("-rwsr-xr-x"), listing);
        assertTrue(listing.contains("drwxrwxrwt"), listing);
        assertTrue(listing.contains("drwxrwsr-x"), listing);
        assertTrue(listing.contains("x: 5 user.test"), listing);
    }

    @Test
    void rejectsInvalidSpecs() {
        assertThrows(IllegalArgumentException.class, () -> LayerTarBuilder.create().file("a", 0644, new byte[0]).file("a", 0644, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> TarEntrySpec.file("/abs", 0644, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> TarEntrySpec.file("a", 0100644, new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> TarEntrySpec.file("a", 0644, new byte[0]).withXattr("user.bin", new byte[] {(byte) 0xff}));
        assertThrows(IllegalArgumentException.class, () -> TarEntrySpec.file("a", 0644, new byte[0]).withXattr("user.empty", new byte[0]));
        LayerTarBuilder wrongSize = LayerTarBuilder.create().add(TarEntrySpec.file("a", 0644, 10, ContentSource.random(1, 9)));
        IOException e = assertThrows(IOException.class, () -> wrongSize.writeTo(new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("a"), e.getMessage());
        assertEquals("etc/.wh.old.conf", TarEntrySpec.whiteout("etc/old.conf").path());
        assertTrue(TarEntrySpec.whiteout("top").isWhiteout());
        assertTrue(TarEntrySpec.opaque("var").isOpaqueMarker());
    }
}
