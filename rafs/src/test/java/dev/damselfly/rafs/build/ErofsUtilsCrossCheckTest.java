package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import dev.damselfly.testkit.image.LayerTarBuilder;
import dev.damselfly.testkit.image.TestTrees;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Independent checks of built bootstraps with erofs-utils 1.5: {@code fsck.erofs --device=BLOB BOOTSTRAP}
 * passes; {@code dump.erofs} reports for every path the same nid, size, link count, owner, access bits and
 * timestamp as our reader, and lists every directory with the same names and nids; for aligned (uncompressed)
 * layers {@code fsck.erofs --extract} reproduces the tar's file contents and symlinks.
 */
class ErofsUtilsCrossCheckTest {
    private static final Pattern STAT = Pattern.compile(
            "Size: (\\d+) .*?NID: (\\d+) +Links: (\\d+) .*?Uid: (\\d+) +Gid: (\\d+) +Access: (\\d{4})/.*?Timestamp: (\\S+ \\S+)",
            Pattern.DOTALL);
    private static final Pattern LS = Pattern.compile("^ +(\\d+) +(\\d+) +(.*)$", Pattern.MULTILINE);
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    LayerBuildResult build(LayerTarBuilder b, LayerBuildOptions opts) throws IOException {
        return new LayerBuilder(opts).build(new ByteArrayInputStream(b.toByteArray()), dir.resolve("boot"), dir.resolve("blob"));
    }

    @ParameterizedTest(name = "{0} {1} chunk {2} aligned {3}")
    @CsvSource({"ZSTD, BLAKE3, 1048576, false", "LZ4_BLOCK, SHA256, 4096, false", "NONE, BLAKE3, 65536, true"})
    void fsckPassesAndDumpAgreesWithOurReader(Compression c, DigestAlgorithm d, int chunk, boolean aligned) throws Exception {
        crossCheck(build(TestTrees.allEntryTypes(7), new LayerBuildOptions(chunk, c, d, aligned)));
    }

    @Test
    void layoutCornerCasesPassFsckAndDump() throws Exception {
        crossCheck(build(LayoutEdgeTrees.of(3, 4096), LayerBuildOptions.defaults().withChunkSize(4096)));
    }

    private void crossCheck(LayerBuildResult r) throws Exception {
        String boot = r.bootstrap().toString();
        String dev = "--device=" + r.blob();
        Processes.ok(List.of("fsck.erofs", dev, boot));
        try (RafsImage img = RafsImages.open(r.bootstrap())) {
            Map<String, Long> paths = ExpectedTree.walk(img);
            for (Map.Entry<String, Long> e : paths.entrySet()) {
                String out = Processes.ok(List.of("dump.erofs", dev, "--path=" + e.getKey(), boot));
                Matcher m = STAT.matcher(out);
                assertTrue(m.find(), "dump.erofs output for " + e.getKey() + ":\n" + out);
                InodeAttributes a = img.stat(e.getValue());
                String at = e.getKey();
                assertEquals(a.size(), Long.parseLong(m.group(1)), at + " size");
                assertEquals(e.getValue(), Long.parseLong(m.group(2)), at + " nid");
                assertEquals(a.nlink(), Long.parseLong(m.group(3)), at + " links");
                assertEquals(a.uid(), Long.parseLong(m.group(4)), at + " uid");
                assertEquals(a.gid(), Long.parseLong(m.group(5)), at + " gid");
                assertEquals(String.format("%04o", a.permissions() & 0777), m.group(6), at + " access");
                assertEquals(TS.format(Instant.ofEpochSecond(a.mtimeSeconds())) + "." + String.format("%09d", a.mtimeNanos()), m.group(7), at + " timestamp");
                if (a.type() == FileType.DIRECTORY) {
                    String ls = Processes.ok(List.of("dump.erofs", dev, "--nid=" + e.getValue(), "--ls", boot));
                    Map<String, Long> listed = new TreeMap<>();
                    Matcher l = LS.matcher(ls.substring(ls.indexOf("FILENAME")));
                    while (l.find()) {
                        listed.put(l.group(3), Long.parseLong(l.group(1)));
                    }
                    Map<String, Long> ours = new TreeMap<>();
                    ours.put(".", e.getValue());
                    ours.put("..", parentHandle(img, at, paths));
                    for (DirEntry de : img.readDir(e.getValue())) {
                        ours.put(de.nameString(), de.handle());
                    }
                    assertEquals(ours, listed, at + " listing");
                }
            }
        }
    }

    private static long parentHandle(RafsImage img, String path, Map<String, Long> paths) {
        if (path.equals("/")) {
            return img.rootHandle();
        }
        String parent = path.substring(0, path.lastIndexOf('/'));
        return paths.get(parent.isEmpty() ? "/" : parent);
    }

    @Test
    void fsckExtractOfAnAlignedLayerReproducesTheTar() throws Exception {
        LayerTarBuilder b = TestTrees.allEntryTypes(11);
        LayerBuildResult r = build(b, LayerBuildOptions.kernelMountable().withChunkSize(65536));
        Path out = dir.resolve("extracted");
        Processes.ok(List.of("fsck.erofs", "--device=" + r.blob(), "--extract=" + out, r.bootstrap().toString()));
        ExpectedTree expected = ExpectedTree.of(b.entries());
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, ExpectedTree.Node> e : expected.nodes.entrySet()) {
            Path p = out.resolve("." + e.getKey()).normalize();
            ExpectedTree.Node n = e.getValue().linkOf != null ? expected.nodes.get(e.getValue().linkOf) : e.getValue();
            if (n.type == FileType.REGULAR) {
                assertArrayEquals(n.content, Files.readAllBytes(p), e.getKey());
                checked.add(e.getKey());
            } else if (n.type == FileType.SYMLINK) {
                assertEquals(n.target, Files.readSymbolicLink(p).toString(), e.getKey());
            } else if (n.type == FileType.DIRECTORY) {
                assertTrue(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), e.getKey());
            }
        }
        assertTrue(checked.contains("/" + TestTrees.INCOMPRESSIBLE_FILE));
        assertEquals(expected.nodes.get("/" + TestTrees.UTF8_FILE).content.length,
                Files.size(out.resolve(TestTrees.UTF8_FILE)), "UTF-8 name");
        assertTrue(new String(Files.readAllBytes(out.resolve(TestTrees.SMALL_FILE)), StandardCharsets.UTF_8).startsWith("damselfly-11"));
    }
}
