package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.testkit.image.LayerTarBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LayerBuildOptions#prefetchPaths()} and {@link LayerMerger#merge(List, List, Path, List)} write exactly the
 * listed inodes into the prefetch table (§1.6), in list order, with nydus-image's rules for blank, relative and
 * covered lines; paths not in the tree are reported and left out. Every bootstrap also passes
 * {@code fsck.erofs}.
 */
class PrefetchListTest {
    @TempDir
    Path dir;

    private static LayerTarBuilder tree() {
        byte[] data = "conf".getBytes(StandardCharsets.UTF_8);
        return LayerTarBuilder.create()
                .directory("etc", 0755)
                .file("etc/conf", 0644, data)
                .hardLink("etc/hl", "etc/conf")
                .directory("usr", 0755)
                .directory("usr/bin", 0755)
                .file("usr/bin/a", 0755, new byte[9000])
                .file("usr/bin/b", 0755, new byte[10])
                .symlink("lib", "usr/lib");
    }

    private LayerBuildResult build(LayerTarBuilder b, LayerBuildOptions opts, String name) throws Exception {
        return new LayerBuilder(opts).build(new ByteArrayInputStream(b.toByteArray()), dir.resolve(name + ".boot"),
                dir.resolve(name + ".blob"));
    }

    private static List<Long> handles(RafsImage img, String... paths) throws Exception {
        List<Long> out = new ArrayList<>();
        for (String p : paths) {
            out.add(img.resolve(p).orElseThrow());
        }
        return out;
    }

    @Test
    void tableHoldsTheListedInodesInOrder() throws Exception {
        List<String> list = Arrays.asList("/etc/conf", "  /usr/bin  ", "", "relative/x", "/usr/bin/a", "/usr//bin/./b",
                "/missing/file", "/lib", "/etc/hl", "/etc/conf", "/lib/inside-a-symlink");
        LayerBuildResult r = build(tree(), LayerBuildOptions.defaults().withPrefetchPaths(list), "p");
        assertEquals(List.of("/missing/file"), r.prefetchMissing());
        try (RafsImage img = RafsImages.open(r.bootstrap())) {
            // /usr/bin/a and /usr/bin/b are under /usr/bin, the second /etc/conf repeats it, /lib/... is under /lib
            assertEquals(handles(img, "/etc/conf", "/usr/bin", "/lib", "/etc/hl"), img.prefetchHandles());
            assertEquals(img.prefetchHandles().get(0), img.prefetchHandles().get(3), "hard link shares the nid");
        }
        Processes.ok(List.of("fsck.erofs", "--device=" + r.blob(), r.bootstrap().toString()));
    }

    @Test
    void defaultIsTheRootAloneAndAnEmptyListWritesAnEmptyTable() throws Exception {
        LayerBuildResult all = build(tree(), LayerBuildOptions.defaults(), "all");
        LayerBuildResult none = build(tree(), LayerBuildOptions.defaults().withPrefetchPaths(List.of()), "none");
        LayerBuildResult missing = build(tree(), LayerBuildOptions.defaults().withPrefetchPaths(List.of("/nope")), "missing");
        try (RafsImage a = RafsImages.open(all.bootstrap()); RafsImage n = RafsImages.open(none.bootstrap());
             RafsImage m = RafsImages.open(missing.bootstrap())) {
            assertEquals(List.of(a.rootHandle()), a.prefetchHandles());
            assertEquals(List.of(), n.prefetchHandles());
            assertEquals(List.of(), m.prefetchHandles());
        }
        assertEquals(List.of("/nope"), missing.prefetchMissing());
        assertEquals(List.of(), all.prefetchMissing());
        Processes.ok(List.of("fsck.erofs", "--device=" + none.blob(), none.bootstrap().toString()));
    }

    @Test
    void aLongListMovesTheMetadataAndStillReads() throws Exception {
        LayerTarBuilder b = LayerTarBuilder.create().directory("d", 0755);
        List<String> list = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            b.file("d/f" + i, 0644, new byte[] {(byte) i});
            list.add("/d/f" + i);
        }
        LayerBuildResult r = build(b, LayerBuildOptions.defaults().withPrefetchPaths(list), "long");
        try (RafsImage img = RafsImages.open(r.bootstrap())) {
            assertEquals(1500, img.prefetchHandles().size());
            assertEquals(img.resolve("/d/f1499").orElseThrow(), img.prefetchHandles().get(1499));
            assertEquals(img.resolve("/d/f0").orElseThrow(), img.prefetchHandles().get(0));
        }
        Processes.ok(List.of("fsck.erofs", "--device=" + r.blob(), r.bootstrap().toString()));
    }

    @Test
    void mergeMatchesTheListAgainstTheMergedTree() throws Exception {
        LayerBuildResult lower = build(tree(), LayerBuildOptions.defaults(), "lower");
        LayerBuildResult upper = build(LayerTarBuilder.create()
                .directory("usr", 0755)
                .directory("usr/bin", 0755)
                .file("usr/bin/.wh.a", 0644, new byte[0])
                .file("usr/bin/new", 0755, new byte[3]), LayerBuildOptions.defaults(), "upper");
        Path out = dir.resolve("merged.boot");
        MergeResult m = LayerMerger.merge(List.of(lower.bootstrap(), upper.bootstrap()),
                List.of(lower.blobId(), upper.blobId()), out, List.of("/usr/bin/new", "/usr/bin/a", "/etc"));
        assertEquals(List.of("/usr/bin/a"), m.prefetchMissing());
        try (RafsImage img = RafsImages.open(out)) {
            assertEquals(handles(img, "/usr/bin/new", "/etc"), img.prefetchHandles());
        }
        MergeResult d = LayerMerger.merge(List.of(lower.bootstrap(), upper.bootstrap()),
                List.of(lower.blobId(), upper.blobId()), dir.resolve("default.boot"));
        try (RafsImage img = RafsImages.open(d.bootstrap())) {
            assertEquals(List.of(img.rootHandle()), img.prefetchHandles());
        }
    }

    @Test
    void nullPathsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> LayerBuildOptions.defaults().withPrefetchPaths(null));
        assertThrows(NullPointerException.class,
                () -> LayerBuildOptions.defaults().withPrefetchPaths(Arrays.asList("/a", null)));
    }
}
