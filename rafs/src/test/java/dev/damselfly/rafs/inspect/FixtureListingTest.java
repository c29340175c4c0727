package dev.damselfly.rafs.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.Fixtures;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our rendering of every fixture equals the independent parser's listing in {@code expected/}. */
class FixtureListingTest {

    @Test
    void rafsV6WithBlobMatchesExpectedListing() throws Exception {
        try (RafsImage img = RafsImages.open(Fixtures.path(Fixtures.V6_BOOT));
             FileBlobByteSource blob = new FileBlobByteSource(Fixtures.path(Fixtures.V6_BLOB))) {
            String text = new RafsInspector(img, i -> i == 0 ? blob : null).render(Fixtures.V6_BOOT);
            assertLines(Fixtures.expected("rafs-v6-2.2.boot.txt"), text);
        }
    }

    @Test
    void realWorldV6BootstrapLayerMatchesExpectedListing() throws Exception {
        byte[] boot = Fixtures.tarGzEntry(Fixtures.V6_LAYER, "image/image.boot");
        try (RafsImage img = RafsImages.open("image.boot", boot)) {
            String text = new RafsInspector(img).render("image/image.boot from " + Fixtures.V6_LAYER);
            assertLines(Fixtures.expected("v6-bootstrap-chunk-pos-438272.image.boot.txt"), text);
        }
    }

    @Test
    void realWorldV5BootstrapLayerMatchesExpectedListing() throws Exception {
        byte[] boot = Fixtures.tarGzEntry(Fixtures.V5_LAYER, "image/image.boot");
        try (RafsImage img = RafsImages.open("image.boot", boot)) {
            assertLines(Fixtures.expected("v5-bootstrap-file-size-736032.image.boot.txt"), new RafsInspector(img).render(""));
        }
    }

    @Test
    void v5Sha256UncompressedWithBlobMatchesExpectedListing() throws Exception {
        v5WithBlob(Fixtures.V5_SHA256, "sha256-nocompress-repeatable.txt");
    }

    @Test
    void v5Blake3WithBlobMatchesExpectedListing() throws Exception {
        v5WithBlob(Fixtures.V5_BLAKE3, "blake3-lz4_block-non_repeatable.txt");
    }

    private static void v5WithBlob(String boot, String expected) throws Exception {
        try (RafsImage img = RafsImages.open(Fixtures.path(boot));
             FileBlobByteSource blob = new FileBlobByteSource(Fixtures.path(Fixtures.V5_BLOB))) {
            assertLines(Fixtures.expected(expected), new RafsInspector(img, i -> i == 0 ? blob : null).render(""));
        }
    }

    /**
     * The mkfs.erofs listing was written in a different style and lists only some of dir2's 200 entries:
     * compare key=value fields of every listed path with our line for that path.
     */
    @Test
    void plainErofsImageMatchesExpectedFields() throws Exception {
        try (RafsImage img = RafsImages.open(Fixtures.path(Fixtures.EROFS_META));
             FileBlobByteSource blob = new FileBlobByteSource(Fixtures.path(Fixtures.EROFS_BLOB))) {
            String text = new RafsInspector(img, i -> i == 0 ? blob : null).render("");
            List<String> ours = text.lines().toList();
            List<String> exp = Fixtures.expected("erofs-utils-1.5-chunked.txt").lines().toList();
            assertEquals(exp.get(0), ours.get(0));
            Map<String, String> byPath = new LinkedHashMap<>();
            for (String l : ours.subList(1, ours.size())) {
                byPath.put(l.substring(0, l.indexOf(' ')), l);
            }
            int checked = 0;
            for (String l : exp.subList(1, exp.size())) {
                if (!l.startsWith("/")) {
                    assertTrue(l.contains("entries: " + byPath.size()), l + " vs " + byPath.size() + " entries");
                    continue;
                }
                String path = l.substring(0, l.indexOf(' '));
                String mine = byPath.get(path);
                assertEquals(fields(l), fields(mine), path);
                checked++;
            }
            assertEquals(10, checked);
        }
    }

    /** key=value pairs of a line (content_ok, which compares with the mkfs source tree, is left out). */
    private static Map<String, String> fields(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        String rest = line.substring(line.indexOf(' ') + 1);
        int arrow = rest.indexOf(" -> ");
        if (arrow >= 0) {
            m.put("->", rest.substring(arrow + 4));
            rest = rest.substring(0, arrow);
        }
        String idx = null;
        int i = rest.indexOf("idx=[");
        if (i >= 0) {
            int j = rest.indexOf(']', i);
            idx = rest.substring(i + 4, j + 1);
            rest = rest.substring(0, i) + rest.substring(j + 1);
            m.put("idx", idx);
        }
        for (String kv : rest.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && !kv.startsWith("content_ok")) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    static void assertLines(String expected, String actual) {
        List<String> e = expected.lines().toList();
        List<String> a = actual.lines().toList();
        for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
            assertEquals(e.get(i), a.get(i), "line " + (i + 1));
        }
        assertEquals(e.size(), a.size(), "line count");
    }
}
