package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers built with a chunk dictionary ({@code build --chunk-dict}) and with a parent bootstrap
 * ({@code build --parent-bootstrap}), stacked by {@link LayerMerger}: the three-layer stack of {@link LayerMergerTest}
 * (whiteouts, opaque directories, replacements, every entry type) plus files whose chunks repeat lower layers' chunks.
 * Layer 1 is built against layer 0's bootstrap, layer 2 against the merged image of layers 0 and 1, so their
 * bootstraps reference the lower blobs. The merged image must hold each blob once, in layer order, every file reading
 * back byte for byte through the right blobs (digests verified) as the independently computed overlay; fsck.erofs
 * with one {@code --device} per blob and (aligned) the kernel's EROFS must accept it. A layer built with
 * {@code --parent-bootstrap} must give the same tree and content (here: the same bytes) as merging the layer
 * bootstraps.
 */
class ChunkDictMergeTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    /** {@link LayerMergerTest#layers} with shared chunks: a copy of a lower file, and a file with one chunk changed. */
    static List<LayerTarBuilder> layers(long seed) {
        List<LayerTarBuilder> l = LayerMergerTest.layers(seed);
        byte[] big = DeterministicBytes.bytes(seed + 10, 3 * MIB + 100);
        l.get(0).directory("big", 0755);
        l.get(0).file("big/a", 0644, big);
        l.get(1).directory("copy", 0755);
        l.get(1).file("copy/a", 0600, big);                                          // all chunks in blob 0
        byte[] changed = big.clone();
        changed[MIB + 5] ^= 0x33;
        l.get(2).directory("big", 0755);
        l.get(2).file("big/a", 0644, changed);                                       // chunks of blobs 0 and 2
        l.get(2).directory("copy", 0700);
        l.get(2).file("copy/deep", 0644, DeterministicBytes.bytes(seed + 1, 9000)); // lower copy was whited out
        return l;
    }

    /** Builds into {@code dir/name.boot} with the blob named by its id in {@code dir}. */
    private LayerBuildResult build(LayerTarBuilder layer, LayerBuildOptions opts, String name) throws Exception {
        Path tmp = dir.resolve(name + ".blob.tmp");
        LayerBuildResult r = new LayerBuilder(opts).build(new ByteArrayInputStream(layer.toByteArray()),
                dir.resolve(name + ".boot"), tmp);
        Files.move(tmp, dir.resolve(r.blobId()), StandardCopyOption.REPLACE_EXISTING);
        return r;
    }

    /** Layer 0 plain, layer 1 against layer 0, layer 2 against the image of 0 and 1. */
    private List<LayerBuildResult> buildWithDictionaries(List<LayerTarBuilder> layers, LayerBuildOptions opts)
            throws Exception {
        LayerBuildResult a = build(layers.get(0), opts, "a");
        LayerBuildResult b = build(layers.get(1), opts.withChunkDict(a.bootstrap()), "b");
        MergeResult ab = LayerMerger.merge(List.of(a.bootstrap(), b.bootstrap()), List.of(a.blobId(), b.blobId()),
                dir.resolve("ab.boot"));
        LayerBuildResult c = build(layers.get(2), opts.withChunkDict(ab.bootstrap()), "c");
        return List.of(a, b, c);
    }

    private static MergeResult merge(List<LayerBuildResult> rs, Path out) throws Exception {
        return LayerMerger.merge(rs.stream().map(LayerBuildResult::bootstrap).toList(),
                rs.stream().map(LayerBuildResult::blobId).toList(), out);
    }

    private List<String> devices(RafsImage img) {
        return img.blobs().stream().map(b -> "--device=" + dir.resolve(b.blobId())).toList();
    }

    /** Asserts the image is the overlay of {@code layers}, every file read through the blob files found by id. */
    private void assertOverlay(Path bootstrap, List<LayerTarBuilder> layers) throws Exception {
        List<FileBlobByteSource> sources = new ArrayList<>();
        try (RafsImage img = RafsImages.open(bootstrap)) {
            for (BlobInfo b : img.blobs()) {
                sources.add(new FileBlobByteSource(dir.resolve(b.blobId())));
            }
            LayerMergerTest.assertImageMatches(img, LayerMergerTest.expectedOverlay(layers), sources::get, null);
        } finally {
            for (FileBlobByteSource s : sources) {
                s.close();
            }
        }
    }

    @Test
    void layersBuiltAgainstLowerLayersMergeWithEachBlobOnceAndReadBackVerified() throws Exception {
        List<LayerTarBuilder> layers = layers(3);
        List<LayerBuildResult> rs = buildWithDictionaries(layers, LayerBuildOptions.defaults());
        LayerBuildResult a = rs.get(0);
        LayerBuildResult b = rs.get(1);
        LayerBuildResult c = rs.get(2);
        assertEquals(List.of(a.blobId()), b.dictionaryBlobIds());
        assertTrue(b.dictionaryChunkReferences() >= 4, "copy/a comes from blob 0: " + b.dictionaryChunkReferences());
        assertTrue(c.dictionaryChunkReferences() >= 3, "big/a's unchanged chunks: " + c.dictionaryChunkReferences());
        assertTrue(c.dictionaryBlobIds().contains(a.blobId()), c.dictionaryBlobIds().toString());

        MergeResult m = merge(rs, dir.resolve("merged.boot"));
        List<String> ids = List.of(a.blobId(), b.blobId(), c.blobId());
        assertEquals(ids, m.blobIds());
        assertEquals(3, m.blobCount());
        try (RafsImage img = RafsImages.open(m.bootstrap())) {
            assertEquals(ids, img.blobs().stream().map(BlobInfo::blobId).toList());
            for (BlobInfo bi : img.blobs()) {
                assertTrue(!bi.has(BlobInfo.FEATURE_INLINED_FS_META), "merged blob " + bi.index() + " keeps fs-meta");
            }
            Set<Integer> bigBlobs = new TreeSet<>();
            for (ChunkRef ref : img.chunks(img.resolve("/big/a").orElseThrow())) {
                bigBlobs.add(ref.blobIndex());
                assertEquals(ids.get(ref.blobIndex()), ref.blobId());
            }
            assertEquals(Set.of(0, 2), bigBlobs, "big/a mixes layer 0's and layer 2's chunks");
            for (ChunkRef ref : img.chunks(img.resolve("/copy/a").orElseThrow())) {
                assertEquals(0, ref.blobIndex(), "layer 1's copy/a lives in blob 0");
            }
            // layer 2's copy/deep: layer 0's opt/tree/deep-file is whited out, and the dictionary (the merged image of
            // layers 0 and 1) no longer has its chunk, so layer 2 stores it again
            for (ChunkRef ref : img.chunks(img.resolve("/copy/deep").orElseThrow())) {
                assertEquals(2, ref.blobIndex());
            }
        }
        assertOverlay(m.bootstrap(), layers);

        List<String> fsck = new ArrayList<>(List.of("fsck.erofs"));
        try (RafsImage img = RafsImages.open(m.bootstrap())) {
            fsck.addAll(devices(img));
        }
        fsck.add(m.bootstrap().toString());
        Processes.ok(fsck);
    }

    @Test
    void alignedLayersBuiltAgainstLowerLayersMountWithTheKernelAfterTheMerge() throws Exception {
        List<LayerTarBuilder> layers = layers(4);
        List<LayerBuildResult> rs = buildWithDictionaries(layers, LayerBuildOptions.kernelMountable());
        MergeResult m = merge(rs, dir.resolve("merged.boot"));
        assertEquals(rs.stream().map(LayerBuildResult::blobId).toList(), m.blobIds());
        TreeMap<String, LayerMergerTest.Ref> expected = LayerMergerTest.expectedOverlay(layers);
        List<Path> blobs = m.blobIds().stream().map(dir::resolve).toList();
        // fsck.erofs reads chunk data straight from the devices: only the aligned (uncompressed) layout extracts
        List<String> fsck = new ArrayList<>(List.of("fsck.erofs"));
        blobs.forEach(p -> fsck.add("--device=" + p));
        Path x = dir.resolve("extract");
        fsck.add("--extract=" + x);
        fsck.add(m.bootstrap().toString());
        Processes.ok(fsck);
        for (Map.Entry<String, LayerMergerTest.Ref> e : expected.entrySet()) {
            if (e.getValue().node().type == FileType.REGULAR) {
                assertArrayEquals(e.getValue().node().content, Files.readAllBytes(x.resolve(e.getKey().substring(1))),
                        e.getKey() + " extracted by fsck.erofs");
            }
        }
        try (ErofsMount mount = ErofsMount.mount(m.bootstrap(), blobs, dir.resolve("mnt"))) {
            Path root = mount.root();
            Set<String> seen = new HashSet<>();
            try (Stream<Path> s = Files.walk(root)) {
                s.forEach(p -> seen.add("/" + root.relativize(p)));
            }
            seen.remove("/");
            seen.add("/");
            assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(seen), "mounted paths");
            for (Map.Entry<String, LayerMergerTest.Ref> e : expected.entrySet()) {
                Path p = e.getKey().equals("/") ? root : root.resolve(e.getKey().substring(1));
                if (e.getValue().node().type == FileType.REGULAR) {
                    assertArrayEquals(e.getValue().node().content, Files.readAllBytes(p), e.getKey() + " content");
                } else if (e.getValue().node().type == FileType.SYMLINK) {
                    assertEquals(e.getValue().node().target, Files.readSymbolicLink(p).toString(), e.getKey());
                }
            }
        }
    }

    @Test
    void parentBootstrapBuildsEqualTheMergeOfTheLayerBootstraps() throws Exception {
        List<LayerTarBuilder> layers = layers(5);
        List<LayerBuildResult> rs = buildWithDictionaries(layers, LayerBuildOptions.defaults());
        MergeResult merged = merge(rs, dir.resolve("merged.boot"));

        LayerBuildOptions opts = LayerBuildOptions.defaults();
        LayerBuildResult b = build(layers.get(1), opts.withParentBootstrap(rs.get(0).bootstrap()), "b-parent");
        assertEquals(rs.get(1).blobId(), b.blobId(), "the blob (with the layer alone inlined) is the dictionary build's");
        try (RafsImage img = RafsImages.open(b.bootstrap())) {
            assertEquals(List.of(rs.get(0).blobId(), b.blobId()), img.blobs().stream().map(BlobInfo::blobId).toList());
            assertEquals(img.inodeCount() > 0, true);
        }
        assertOverlay(b.bootstrap(), layers.subList(0, 2));

        LayerBuildResult c = build(layers.get(2), opts.withParentBootstrap(b.bootstrap()), "c-parent");
        assertEquals(rs.get(2).blobId(), c.blobId());
        assertEquals(rs.get(2).chunkCount(), c.chunkCount(), "deduplicated against the parent as against the dictionary");
        try (RafsImage img = RafsImages.open(c.bootstrap())) {
            assertEquals(merged.blobIds(), img.blobs().stream().map(BlobInfo::blobId).toList());
            assertEquals(merged.inodeCount(), c.inodeCount());
        }
        assertOverlay(c.bootstrap(), layers);
        assertArrayEquals(Files.readAllBytes(merged.bootstrap()), Files.readAllBytes(c.bootstrap()),
                "the parent-built image bootstrap is byte for byte the merge of the layer bootstraps");

        List<String> fsck = new ArrayList<>(List.of("fsck.erofs"));
        try (RafsImage img = RafsImages.open(c.bootstrap())) {
            fsck.addAll(devices(img));
        }
        fsck.add(c.bootstrap().toString());
        Processes.ok(fsck);
    }

    @Test
    void aParentBootstrapWithAPrefetchListResolvesPathsAgainstTheMergedTree() throws Exception {
        List<LayerTarBuilder> layers = layers(6);
        LayerBuildResult a = build(layers.get(0), LayerBuildOptions.defaults(), "a");
        // /var/lib/keep exists only in layer 0, /hl/a only in layer 1, /absent nowhere
        LayerBuildResult b = build(layers.get(1), LayerBuildOptions.defaults().withParentBootstrap(a.bootstrap())
                .withPrefetchPaths(List.of("/var/lib/keep", "/hl/a", "/absent")), "b");
        assertEquals(List.of("/absent"), b.prefetchMissing());
        try (RafsImage img = RafsImages.open(b.bootstrap())) {
            assertEquals(List.of(img.resolve("/var/lib/keep").orElseThrow(), img.resolve("/hl/a").orElseThrow()),
                    img.prefetchHandles());
        }
    }
}
