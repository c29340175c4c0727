package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.Xattr;
import dev.damselfly.rafs.blob.BlobByteSource;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import dev.damselfly.testkit.image.TarEntrySpec;
import dev.damselfly.testkit.image.TestTrees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LayerMerger}: three layers built from tars are stacked; the expected image is computed independently
 * by applying the layers' tar entries path by path (OCI whiteouts, opaque directories, replacement, directory
 * merge) and compared with what our reader sees in the merged bootstrap (every file's bytes read through each
 * layer's blob with digest verification), with {@code fsck.erofs}/{@code dump.erofs} given one
 * {@code --device} per layer blob, and with a kernel mount using one loop device per layer.
 */
class LayerMergerTest {
    private static final Pattern STAT = Pattern.compile(
            "Size: (\\d+) .*?NID: (\\d+) +Links: (\\d+) .*?Uid: (\\d+) +Gid: (\\d+) +Access: (\\d{4})/", Pattern.DOTALL);

    @TempDir
    Path dir;

    /** The layer stack: bottom = every entry type + simpleLayer 0; above it whiteouts, opaques, replacements. */
    static List<LayerTarBuilder> layers(long seed) {
        LayerTarBuilder l0 = TestTrees.allEntryTypes(seed);
        l0.addAll(TestTrees.simpleLayer(seed, 0).entries());
        l0.file("var/lib/keep", 0644, "keep\n".getBytes(StandardCharsets.UTF_8));
        l0.file("var/lib/removed", 0644, "gone\n".getBytes(StandardCharsets.UTF_8));
        l0.directory("opt", 0755);
        l0.directory("opt/tree", 0755);
        l0.file("opt/tree/deep-file", 0644, DeterministicBytes.bytes(seed + 1, 9000));

        LayerTarBuilder l1 = TestTrees.simpleLayer(seed, 1);
        l1.directory("usr", 0700);                                    // dir over dir: attributes change, children stay
        l1.directory("usr/bin", 0755);
        l1.add(TarEntrySpec.whiteout(TestTrees.HARD_LINK));           // one name of a lower hard link pair
        l1.directory("etc", 0755);
        l1.directory("etc/hostname", 0750);                           // directory replaces a file
        l1.file("etc/hostname/inner", 0600, "inner\n".getBytes(StandardCharsets.UTF_8));
        l1.add(TarEntrySpec.file(TestTrees.XATTR_FILE, 0600, "new xattrs\n".getBytes(StandardCharsets.UTF_8))
                .withXattr("user.layer", "1".getBytes(StandardCharsets.UTF_8)));
        l1.directory("srv", 0755);
        l1.file("srv/shared", 0644, "file replaces dir\n".getBytes(StandardCharsets.UTF_8));
        l1.directory("usr/share", 0755);
        l1.directory("usr/share/doc", 0711);
        l1.add(TarEntrySpec.opaque("usr/share/doc"));
        l1.file("usr/share/doc/after-opaque", 0644, TestTrees.text(seed, 70_000));
        l1.directory("hl", 0755);
        l1.file("hl/a", 0644, DeterministicBytes.bytes(seed + 2, 5000));
        l1.hardLink("hl/b", "hl/a");
        l1.hardLink("hl/c", "hl/a");
        l1.add(TarEntrySpec.whiteout("opt/tree"));                    // whiteout of a whole directory
        l1.add(TarEntrySpec.whiteout("does/not/exist"));              // whiteout of nothing

        LayerTarBuilder l2 = TestTrees.simpleLayer(seed, 2);
        l2.directory("hl", 0755);
        l2.add(TarEntrySpec.whiteout("hl/c"));
        l2.directory("var", 0755);
        l2.directory("var/lib", 0755);
        l2.add(TarEntrySpec.whiteout("var/lib/removed"));
        l2.add(TarEntrySpec.whiteout("dev"));
        l2.directory("opt", 0755);
        l2.directory("opt/tree", 0700);                               // recreated after the whiteout below
        l2.file("opt/tree/new", 0644, "new\n".getBytes(StandardCharsets.UTF_8));
        l2.file(TestTrees.SMALL_FILE, 0644, "file replaces dir again\n".getBytes(StandardCharsets.UTF_8));
        l2.symlink("layer-1/file-1.bin", "../layer-0/file-1.bin");    // symlink replaces a file
        return List.of(l0, l1, l2);
    }

    /** One expected name: which layer it comes from, its canonical path there (hard links), the node. */
    record Ref(int layer, String canonical, ExpectedTree.Node node) {
    }

    /** The overlay computed from the tar entries alone, path by path. */
    static TreeMap<String, Ref> expectedOverlay(List<LayerTarBuilder> layers) throws Exception {
        TreeMap<String, Ref> merged = new TreeMap<>();
        for (int l = 0; l < layers.size(); l++) {
            ExpectedTree t = ExpectedTree.of(layers.get(l).entries());
            for (String p : t.nodes.keySet()) {
                if (name(p).equals(TarEntrySpec.OPAQUE_MARKER)) {
                    removeBelow(merged, parent(p));
                }
            }
            for (String p : t.nodes.keySet()) {
                String n = name(p);
                if (n.startsWith(TarEntrySpec.WHITEOUT_PREFIX) && !n.equals(TarEntrySpec.OPAQUE_MARKER)) {
                    String target = (parent(p).equals("/") ? "" : parent(p)) + "/"
                            + n.substring(TarEntrySpec.WHITEOUT_PREFIX.length());
                    merged.remove(target);
                    removeBelow(merged, target);
                }
            }
            for (Map.Entry<String, ExpectedTree.Node> e : t.nodes.entrySet()) {
                String p = e.getKey();
                if (name(p).startsWith(TarEntrySpec.WHITEOUT_PREFIX)) {
                    continue;
                }
                String canonical = e.getValue().linkOf != null ? e.getValue().linkOf : p;
                ExpectedTree.Node node = t.nodes.get(canonical);
                Ref old = merged.get(p);
                if (!(old != null && old.node().type == FileType.DIRECTORY && node.type == FileType.DIRECTORY)) {
                    removeBelow(merged, p);
                }
                merged.put(p, new Ref(l, canonical, node));
            }
        }
        return merged;
    }

    private static void removeBelow(TreeMap<String, Ref> m, String dir) {
        String prefix = dir.equals("/") ? "/" : dir + "/";
        m.keySet().removeIf(k -> k.startsWith(prefix) && k.length() > prefix.length());
    }

    private static String name(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private static String parent(String p) {
        int i = p.lastIndexOf('/');
        return i <= 0 ? "/" : p.substring(0, i);
    }

    private List<LayerBuildResult> build(List<LayerTarBuilder> layers, LayerBuildOptions opts) throws Exception {
        List<LayerBuildResult> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            out.add(new LayerBuilder(opts).build(new ByteArrayInputStream(layers.get(i).toByteArray()),
                    dir.resolve("layer" + i + ".boot"), dir.resolve("layer" + i + ".blob")));
        }
        return out;
    }

    private static MergeResult merge(List<LayerBuildResult> rs, Path out) throws Exception {
        return LayerMerger.merge(rs.stream().map(LayerBuildResult::bootstrap).toList(),
                rs.stream().map(LayerBuildResult::blobId).toList(), out);
    }

    @Test
    void expectedOverlayIsNotTrivial() throws Exception {
        TreeMap<String, Ref> e = expectedOverlay(layers(3));
        assertFalse(e.containsKey("/layer-0/file-0.bin"));
        assertTrue(e.containsKey("/layer-0/file-1.bin"));
        assertTrue(e.containsKey("/layer-0/sub"));
        assertFalse(e.containsKey("/layer-0/sub/readme.txt"));
        assertFalse(e.containsKey("/" + TestTrees.HARD_LINK));
        assertFalse(e.containsKey("/dev"));
        assertFalse(e.containsKey("/dev/null"));
        assertFalse(e.containsKey("/opt/tree/deep-file"));
        assertFalse(e.containsKey("/usr/share/doc/a"));
        assertTrue(e.containsKey("/usr/lib/incompressible.bin"));
        assertEquals(FileType.REGULAR, e.get("/srv/shared").node().type);
        assertEquals(FileType.REGULAR, e.get("/etc/hostname").node().type);     // file, dir (layer 1), file (2)
        assertFalse(e.containsKey("/etc/hostname/inner"));
        assertEquals(FileType.SYMLINK, e.get("/layer-1/file-1.bin").node().type);
        assertEquals(2, e.values().stream().filter(r -> r.canonical().equals("/hl/a")).count());
        assertTrue(e.containsKey("/opt/tree/new"));
        assertTrue(e.containsKey("/var/lib/keep"));
        assertFalse(e.containsKey("/var/lib/removed"));
        assertEquals(0700, e.get("/usr").node().permissions);
        assertTrue(e.containsKey("/usr/share/doc/after-opaque"));
        assertTrue(e.keySet().stream().noneMatch(k -> name(k).startsWith(".wh.")));
    }

    @Test
    void mergedTreeIsTheOverlayAndEveryFileReadsBackVerified() throws Exception {
        List<LayerTarBuilder> layers = layers(3);
        List<LayerBuildResult> rs = build(layers, LayerBuildOptions.defaults());
        MergeResult m = merge(rs, dir.resolve("merged.boot"));
        assertEquals(3, m.blobCount());
        assertEquals(Files.size(m.bootstrap()), m.bytes());
        assertEquals(0, m.bytes() % 4096);
        TreeMap<String, Ref> expected = expectedOverlay(layers);
        List<FileBlobByteSource> blobs = new ArrayList<>();
        try (RafsImage img = RafsImages.open(m.bootstrap())) {
            for (LayerBuildResult r : rs) {
                blobs.add(new FileBlobByteSource(r.blob()));
            }
            assertEquals(TestTrees.MIB, img.chunkSize());
            assertEquals(3, img.blobs().size());
            for (int i = 0; i < 3; i++) {
                BlobInfo b = img.blobs().get(i);
                assertEquals(i, b.index());
                assertEquals(rs.get(i).blobId(), b.blobId());
                assertFalse(b.has(BlobInfo.FEATURE_INLINED_FS_META));
                assertTrue(b.has(BlobInfo.FEATURE_ALIGNED));
                try (RafsImage layer = RafsImages.open(rs.get(i).bootstrap())) {
                    BlobInfo lb = layer.blobs().get(0);
                    assertEquals(lb.chunkCount(), b.chunkCount());
                    assertEquals(lb.compression(), b.compression());
                    assertEquals(lb.digestAlgorithm(), b.digestAlgorithm());
                    assertEquals(lb.uncompressedSize(), b.uncompressedSize());
                    assertEquals(lb.ciOffset(), b.ciOffset());
                }
            }
            assertEquals(expected.values().stream().filter(r -> r.node().type != FileType.DIRECTORY)
                    .map(r -> r.layer() + ":" + r.canonical()).distinct().count()
                    + expected.values().stream().filter(r -> r.node().type == FileType.DIRECTORY).count(), m.inodeCount());
            assertImageMatches(img, expected, i -> blobs.get(i), rs);
        } finally {
            for (FileBlobByteSource b : blobs) {
                b.close();
            }
        }
    }

    /**
     * Asserts that {@code img} holds exactly {@code expected}, every file's bytes read verified through
     * {@code blobs}; with {@code rs} (one blob per layer) also that each file's chunks are in its layer's blob.
     */
    static void assertImageMatches(RafsImage img, TreeMap<String, Ref> expected,
                                   java.util.function.IntFunction<BlobByteSource> blobs, List<LayerBuildResult> rs)
            throws Exception {
        Map<String, Long> seen = ExpectedTree.walk(img);
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(seen.keySet()), "merged paths");
        FileContentReader reader = new FileContentReader(img, blobs, true);
        Map<String, Long> handleOf = new HashMap<>();
        Map<String, Long> names = new HashMap<>();
        expected.values().forEach(r -> names.merge(r.layer() + ":" + r.canonical(), 1L, Long::sum));
        for (Map.Entry<String, Ref> en : expected.entrySet()) {
            String path = en.getKey();
            Ref ref = en.getValue();
            ExpectedTree.Node n = ref.node();
            long h = seen.get(path);
            InodeAttributes a = img.stat(h);
            assertEquals(n.type, a.type(), path + " type");
            assertEquals(n.permissions, a.permissions(), path + " permissions");
            assertEquals(n.uid, a.uid(), path + " uid");
            assertEquals(n.gid, a.gid(), path + " gid");
            assertEquals(n.mtime, a.mtimeSeconds(), path + " mtime");
            if (n.type == FileType.DIRECTORY) {
                long subdirs = expected.entrySet().stream().filter(x -> !x.getKey().equals("/")
                        && parent(x.getKey()).equals(path) && x.getValue().node().type == FileType.DIRECTORY).count();
                assertEquals(2 + subdirs, a.nlink(), path + " nlink");
            } else {
                String key = ref.layer() + ":" + ref.canonical();
                Long prev = handleOf.putIfAbsent(key, h);
                if (prev != null) {
                    assertEquals(prev, h, path + " shares its inode with the other names of " + key);
                }
                assertEquals((long) names.get(key), a.nlink(), path + " nlink");
            }
            if (n.type == FileType.REGULAR) {
                assertEquals(n.content.length, a.size(), path + " size");
                for (ChunkRef c : rs == null ? List.<ChunkRef>of() : img.chunks(h)) {
                    assertEquals(ref.layer(), c.blobIndex(), path + " chunk blob");
                    assertEquals(rs.get(ref.layer()).blobId(), c.blobId(), path + " chunk blob id");
                }
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                reader.copyTo(h, o);
                assertArrayEquals(n.content, o.toByteArray(), path + " content");
            }
            if (n.type == FileType.SYMLINK) {
                assertEquals(n.target, new String(img.readLink(h), StandardCharsets.UTF_8), path + " target");
            }
            if (n.type == FileType.CHAR_DEVICE || n.type == FileType.BLOCK_DEVICE) {
                assertEquals(n.major, a.rdevMajor(), path + " major");
                assertEquals(n.minor, a.rdevMinor(), path + " minor");
            }
            Map<String, String> want = new TreeMap<>();
            n.xattrs.forEach((k, v) -> want.put(k, HexFormat.of().formatHex(v)));
            Map<String, String> got = new TreeMap<>();
            for (Xattr x : img.xattrs(h)) {
                got.put(x.nameString(), HexFormat.of().formatHex(x.value()));
            }
            assertEquals(want, got, path + " xattrs");
        }
    }

    @Test
    void fsckAndDumpErofsAcceptTheMergedImageWithOneDevicePerLayer() throws Exception {
        List<LayerTarBuilder> layers = layers(5);
        List<LayerBuildResult> rs = build(layers, LayerBuildOptions.kernelMountable().withChunkSize(65536));
        MergeResult m = merge(rs, dir.resolve("merged.boot"));
        List<String> devs = rs.stream().map(r -> "--device=" + r.blob()).toList();
        List<String> fsck = new ArrayList<>(List.of("fsck.erofs"));
        fsck.addAll(devs);
        fsck.add(m.bootstrap().toString());
        Processes.ok(fsck);
        Path x = dir.resolve("extract");
        List<String> extract = new ArrayList<>(fsck);
        extract.add(extract.size() - 1, "--extract=" + x);
        Processes.ok(extract);
        TreeMap<String, Ref> expected = expectedOverlay(layers);
        for (Map.Entry<String, Ref> e : expected.entrySet()) {
            Path p = e.getKey().equals("/") ? x : x.resolve(e.getKey().substring(1));
            if (e.getValue().node().type == FileType.REGULAR) {
                assertArrayEquals(e.getValue().node().content, Files.readAllBytes(p), e.getKey() + " extracted");
            }
        }
        try (RafsImage img = RafsImages.open(m.bootstrap())) {
            for (Map.Entry<String, Long> e : ExpectedTree.walk(img).entrySet()) {
                List<String> dump = new ArrayList<>(List.of("dump.erofs"));
                dump.addAll(devs);
                dump.add("--path=" + e.getKey());
                dump.add(m.bootstrap().toString());
                String out = Processes.ok(dump);
                Matcher mt = STAT.matcher(out);
                assertTrue(mt.find(), "dump.erofs output for " + e.getKey() + ":\n" + out);
                InodeAttributes a = img.stat(e.getValue());
                assertEquals(a.size(), Long.parseLong(mt.group(1)), e.getKey() + " size");
                assertEquals(e.getValue(), Long.parseLong(mt.group(2)), e.getKey() + " nid");
                assertEquals(a.nlink(), Long.parseLong(mt.group(3)), e.getKey() + " links");
                assertEquals(a.uid(), Long.parseLong(mt.group(4)), e.getKey() + " uid");
                assertEquals(a.gid(), Long.parseLong(mt.group(5)), e.getKey() + " gid");
                assertEquals(String.format("%04o", a.permissions() & 0777), mt.group(6), e.getKey() + " access");
            }
        }
    }

    @Test
    void kernelMountsTheMergedImageWithOneLoopDevicePerLayer() throws Exception {
        List<LayerTarBuilder> layers = layers(7);
        List<LayerBuildResult> rs = build(layers, LayerBuildOptions.kernelMountable());
        MergeResult m = merge(rs, dir.resolve("merged.boot"));
        TreeMap<String, Ref> expected = expectedOverlay(layers);
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        List<String> loops = new ArrayList<>();
        boolean mounted = false;
        try {
            for (LayerBuildResult r : rs) {
                String out = Processes.ok(List.of("losetup", "-f", "--show", r.blob().toString()));
                Matcher lm = Pattern.compile("(?m)^(/dev/loop\\d+)\\s*$").matcher(out);
                assertTrue(lm.find(), "losetup printed no device: " + out);
                loops.add(lm.group(1));
            }
            String opts = "ro," + String.join(",", loops.stream().map(l -> "device=" + l).toList());
            Processes.ok(List.of("mount", "-t", "erofs", "-o", opts, m.bootstrap().toString(), mnt.toString()));
            mounted = true;
            TreeSet<String> seen = new TreeSet<>();
            try (Stream<Path> s = Files.walk(mnt)) {
                s.forEach(p -> seen.add("/" + mnt.relativize(p).toString()));
            }
            seen.remove("/");
            seen.add("/");
            assertEquals(new TreeSet<>(expected.keySet()), seen, "mounted paths");
            for (Map.Entry<String, Ref> e : expected.entrySet()) {
                Path p = e.getKey().equals("/") ? mnt : mnt.resolve(e.getKey().substring(1));
                ExpectedTree.Node n = e.getValue().node();
                Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
                assertEquals(n.permissions, (Integer) a.get("mode") & 07777, e.getKey() + " permissions");
                assertEquals((int) n.uid, (Integer) a.get("uid"), e.getKey() + " uid");
                assertEquals(n.mtime, ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond(), e.getKey() + " mtime");
                if (n.type == FileType.REGULAR) {
                    assertArrayEquals(n.content, Files.readAllBytes(p), e.getKey() + " content");
                } else if (n.type == FileType.SYMLINK) {
                    assertEquals(n.target, Files.readSymbolicLink(p).toString(), e.getKey() + " target");
                }
            }
        } finally {
            if (mounted) {
                Processes.Result u = Processes.run(List.of("umount", mnt.toString()));
                assertEquals(0, u.exit(), "umount: " + u.output());
            }
            for (String l : loops) {
                Processes.Result d = Processes.run(List.of("losetup", "-d", l));
                assertEquals(0, d.exit(), "losetup -d: " + d.output());
            }
            // anything still backed by one of our blobs (losetup output not parsed) is ours: detach it
            for (LayerBuildResult r : rs) {
                String left = Processes.run(List.of("losetup", "-j", r.blob().toString())).output();
                Matcher lm = Pattern.compile("(?m)^(/dev/loop\\d+):").matcher(left);
                while (lm.find()) {
                    Processes.run(List.of("losetup", "-d", lm.group(1)));
                }
            }
        }
    }

    @Test
    void aLayerWhoseFilesAreAllGoneKeepsItsBlobEntry() throws Exception {
        LayerTarBuilder l0 = LayerTarBuilder.create().file("a", 0644, "a\n".getBytes(StandardCharsets.UTF_8));
        LayerTarBuilder l1 = LayerTarBuilder.create().add(TarEntrySpec.whiteout("a"));
        LayerTarBuilder l2 = LayerTarBuilder.create().file("b", 0600, "b\n".getBytes(StandardCharsets.UTF_8));
        List<LayerTarBuilder> layers = List.of(l0, l1, l2);
        List<LayerBuildResult> rs = build(layers, LayerBuildOptions.defaults());
        MergeResult m = merge(rs, dir.resolve("merged.boot"));
        assertEquals(3, m.blobCount());
        assertEquals(2, m.inodeCount());
        try (RafsImage img = RafsImages.open(m.bootstrap());
             FileBlobByteSource b2 = new FileBlobByteSource(rs.get(2).blob())) {
            assertEquals(List.of(rs.get(0).blobId(), rs.get(1).blobId(), rs.get(2).blobId()),
                    img.blobs().stream().map(BlobInfo::blobId).toList());
            assertImageMatches(img, expectedOverlay(layers), i -> i == 2 ? b2 : null, rs);
        }
    }

    @Test
    void singleLayerMergeDropsWhiteoutsAndKeepsTheRest() throws Exception {
        LayerTarBuilder l0 = TestTrees.allEntryTypes(11);
        List<LayerBuildResult> rs = build(List.of(l0), LayerBuildOptions.defaults());
        MergeResult m = merge(rs, dir.resolve("merged.boot"));
        try (RafsImage img = RafsImages.open(m.bootstrap());
             FileBlobByteSource b = new FileBlobByteSource(rs.get(0).blob())) {
            TreeMap<String, Ref> e = expectedOverlay(List.of(l0));
            assertFalse(e.containsKey("/" + TestTrees.WHITEOUT));
            assertImageMatches(img, e, i -> b, rs);
        }
    }

    @Test
    void differentChunkSizesAreRejected() throws Exception {
        LayerBuildResult a = new LayerBuilder(LayerBuildOptions.defaults()).build(new ByteArrayInputStream(
                TestTrees.simpleLayer(1, 0).toByteArray()), dir.resolve("a.boot"), dir.resolve("a.blob"));
        LayerBuildResult b = new LayerBuilder(LayerBuildOptions.defaults().withChunkSize(65536)).build(
                new ByteArrayInputStream(TestTrees.simpleLayer(1, 1).toByteArray()), dir.resolve("b.boot"), dir.resolve("b.blob"));
        LayerMergeException ex = assertThrows(LayerMergeException.class, () -> merge(List.of(a, b), dir.resolve("m.boot")));
        assertEquals(1, ex.layer());
        assertTrue(ex.getMessage().contains("chunk size"), ex.getMessage());
        assertFalse(Files.exists(dir.resolve("m.boot")));
    }

    @Test
    void badBlobIdsAreRejected() throws Exception {
        LayerBuildResult a = build(List.of(TestTrees.simpleLayer(1, 0)), LayerBuildOptions.defaults()).get(0);
        assertThrows(IllegalArgumentException.class, () -> LayerMerger.merge(List.of(a.bootstrap(), a.bootstrap()),
                List.of(a.blobId(), a.blobId()), dir.resolve("m.boot")));
        assertThrows(IllegalArgumentException.class, () -> LayerMerger.merge(List.of(a.bootstrap()),
                List.of("sha256:" + a.blobId()), dir.resolve("m.boot")));
        assertThrows(IllegalArgumentException.class, () -> LayerMerger.merge(List.of(a.bootstrap()),
                List.of(), dir.resolve("m.boot")));
    }

    @Test
    void moreLayersThanFitBeforeBlock4096MoveTheBlobTable() throws Exception {
        List<LayerTarBuilder> layers = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            LayerTarBuilder b = LayerTarBuilder.create().file("f" + i, 0644, DeterministicBytes.bytes(i, 5000 + i));
            if (i > 0) {
                b.add(TarEntrySpec.whiteout("f" + (i - 1)));
                b.file("shared", 0644, ("layer " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
            layers.add(b);
        }
        List<LayerBuildResult> rs = build(layers, LayerBuildOptions.kernelMountable().withChunkSize(4096));
        MergeResult m = merge(rs, dir.resolve("merged.boot"));
        assertEquals(25, m.blobCount());
        List<FileBlobByteSource> blobs = new ArrayList<>();
        try (RafsImage img = RafsImages.open(m.bootstrap())) {
            for (LayerBuildResult r : rs) {
                blobs.add(new FileBlobByteSource(r.blob()));
            }
            assertEquals(25, img.blobs().size());
            assertEquals(rs.get(24).blobId(), img.blobs().get(24).blobId());
            TreeMap<String, Ref> expected = expectedOverlay(layers);
            assertEquals(new TreeSet<>(List.of("/", "/f24", "/shared")), new TreeSet<>(expected.keySet()));
            assertImageMatches(img, expected, i -> blobs.get(i), rs);
        } finally {
            for (FileBlobByteSource b : blobs) {
                b.close();
            }
        }
        List<String> fsck = new ArrayList<>(List.of("fsck.erofs"));
        rs.forEach(r -> fsck.add("--device=" + r.blob()));
        fsck.add(m.bootstrap().toString());
        Processes.ok(fsck);
    }

    @Test
    void layersWithDifferentCompressionsEachKeepTheirOwn() throws Exception {
        List<LayerTarBuilder> layers = layers(13);
        List<LayerBuildOptions> opts = List.of(LayerBuildOptions.defaults(),
                LayerBuildOptions.defaults().withCompression(dev.damselfly.rafs.codec.Compression.LZ4_BLOCK),
                LayerBuildOptions.kernelMountable());
        List<LayerBuildResult> rs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rs.add(new LayerBuilder(opts.get(i)).build(new ByteArrayInputStream(layers.get(i).toByteArray()),
                    dir.resolve("layer" + i + ".boot"), dir.resolve("layer" + i + ".blob")));
        }
        MergeResult m = merge(rs, dir.resolve("merged.boot"));
        List<FileBlobByteSource> blobs = new ArrayList<>();
        try (RafsImage img = RafsImages.open(m.bootstrap())) {
            for (LayerBuildResult r : rs) {
                blobs.add(new FileBlobByteSource(r.blob()));
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(opts.get(i).compression(), img.blobs().get(i).compression());
            }
            assertImageMatches(img, expectedOverlay(layers), i -> blobs.get(i), rs);
        } finally {
            for (FileBlobByteSource b : blobs) {
                b.close();
            }
        }
    }

    @Test
    void differentDigestAlgorithmsAreRejected() throws Exception {
        LayerBuildResult a = new LayerBuilder(LayerBuildOptions.defaults()).build(new ByteArrayInputStream(
                TestTrees.simpleLayer(1, 0).toByteArray()), dir.resolve("a.boot"), dir.resolve("a.blob"));
        LayerBuildResult b = new LayerBuilder(LayerBuildOptions.defaults().withDigest(
                dev.damselfly.rafs.codec.DigestAlgorithm.SHA256)).build(new ByteArrayInputStream(
                TestTrees.simpleLayer(1, 1).toByteArray()), dir.resolve("b.boot"), dir.resolve("b.blob"));
        LayerMergeException ex = assertThrows(LayerMergeException.class, () -> merge(List.of(a, b), dir.resolve("m.boot")));
        assertEquals(1, ex.layer());
        assertTrue(ex.getMessage().contains("digest"), ex.getMessage());
    }

    @Test
    void aMergedBootstrapAsTheTopLayerActsAsALayerBuiltAgainstTheBlobsBelow() throws Exception {
        // its blob table is [blob 0, blob 1]: the last is taken as its own (and renamed), the first as a dictionary
        // blob that layer 0 already brings, so the result is layer 0 under the merged tree with two blobs
        List<LayerBuildResult> rs = build(List.of(TestTrees.simpleLayer(2, 0), TestTrees.simpleLayer(2, 1)),
                LayerBuildOptions.defaults());
        MergeResult m = merge(rs, dir.resolve("m.boot"));
        String renamed = "c".repeat(64);
        MergeResult again = LayerMerger.merge(List.of(rs.get(0).bootstrap(), m.bootstrap()),
                List.of(rs.get(0).blobId(), renamed), dir.resolve("m2.boot"));
        assertEquals(List.of(rs.get(0).blobId(), renamed), again.blobIds());
        try (RafsImage a = RafsImages.open(m.bootstrap()); RafsImage b = RafsImages.open(again.bootstrap())) {
            // the merged tree no longer carries layer 1's whiteouts, so layer 0's whited-out names show through
            Set<String> names = ExpectedTree.walk(b).keySet();
            assertTrue(names.containsAll(ExpectedTree.walk(a).keySet()), names::toString);
            assertTrue(names.contains("/layer-0/file-0.bin"), names::toString);
            assertEquals(List.of(0, 1), b.blobs().stream().map(BlobInfo::index).toList());
        }
    }
}
