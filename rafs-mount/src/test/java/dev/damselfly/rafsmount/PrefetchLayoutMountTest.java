package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.build.LayerBuildOptions;
import dev.damselfly.rafsmount.prefetch.PrefetchPolicy;
import dev.damselfly.rafsmount.prefetch.PrefetchProgress;
import dev.damselfly.rafsmount.prefetch.Prefetcher;
import dev.damselfly.rafsmount.source.FileBlobSource;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image built with a prefetch list keeps the listed files' chunks together, and a mount asked to prefetch its
 * table (directories in it expanded) fetches them from the moment the image is open, in one source read here;
 * afterwards the listed files read from the blob cache with the blob gone, and the others do not.
 */
class PrefetchLayoutMountTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path tmp;

    private BuiltImage image() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        // sorted by path, as the tar is written: listed files between unlisted ones
        files.put("etc/big", DeterministicBytes.bytes(1, 6 * CHUNK));
        files.put("usr/bin/tool", DeterministicBytes.bytes(2, CHUNK + 10));
        files.put("usr/lib/a.bin", DeterministicBytes.bytes(3, 5 * CHUNK - 100));
        files.put("usr/lib/c.bin", DeterministicBytes.bytes(4, 3 * CHUNK));
        files.put("usr/share/d.bin", DeterministicBytes.bytes(5, 7 * CHUNK));
        files.put("var/e.bin", DeterministicBytes.bytes(6, 4 * CHUNK));
        LayerTarBuilder tar = LayerTarBuilder.create();
        for (String d : List.of("etc", "usr", "usr/bin", "usr/lib", "usr/share", "var")) {
            tar.directory(d, 0755);
        }
        files.forEach((path, bytes) -> tar.file(path, 0644, bytes));
        return BuiltImage.build(tmp.resolve("image"), tar, LayerBuildOptions.defaults().withChunkSize(CHUNK)
                .withPrefetchPaths(List.of("/usr/bin/tool", "/usr/lib")), files);
    }

    @Test
    void theTableIsPrefetchedInOneReadAndServesWithTheBlobGone() throws Exception {
        BuiltImage img = image();
        Path cache = tmp.resolve("cache");
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource files = FileBlobSource.directory(img.blobDir())) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(img.bootstrap(), mp, MountOptions.of(counting).withCache(cache, 1L << 30)
                    .withPrefetch(PrefetchPolicy.table()))) {
                Prefetcher prefetch = m.prefetcher().orElseThrow();
                assertTrue(prefetch.await(60, TimeUnit.SECONDS), "prefetch finishes");
                PrefetchProgress progress = prefetch.progress();
                assertEquals(3, progress.filesPlanned(), "/usr/bin/tool and the two files of /usr/lib: " + progress);
                assertEquals(3, progress.filesDone());
                assertEquals(0, progress.failures());
                assertEquals(2 + 5 + 3, img.chunksOf("usr/bin/tool").size() + img.chunksOf("usr/lib/a.bin").size()
                        + img.chunksOf("usr/lib/c.bin").size());
                assertEquals(1, counting.reads().size(), "ten adjacent chunks in one read: " + counting.reads());
                assertEquals(CHUNK + 10 + 5 * CHUNK - 100 + 3 * CHUNK, progress.bytesFetched());
            }
        }
        Files.delete(img.blob());
        try (FileBlobSource gone = FileBlobSource.directory(img.blobDir());
             MountHandle m = RafsMount.mount(img.bootstrap(), mp, MountOptions.of(gone).withCache(cache, 1L << 30))) {
            for (String listed : List.of("usr/bin/tool", "usr/lib/a.bin", "usr/lib/c.bin")) {
                assertArrayEquals(img.files().get(listed), Files.readAllBytes(mp.resolve(listed)), listed);
            }
            assertThrows(IOException.class, () -> Files.readAllBytes(mp.resolve("usr/share/d.bin")),
                    "an unlisted file was not prefetched");
        }
    }

    @Test
    void prefetchWithoutACacheIsRefusedBeforeMounting() throws Exception {
        BuiltImage img = image();
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource files = FileBlobSource.directory(img.blobDir())) {
            assertThrows(IllegalStateException.class, () -> RafsMount.mount(img.bootstrap(), mp,
                    MountOptions.of(files).withPrefetch(PrefetchPolicy.table())));
        }
        try (var entries = Files.list(mp)) {
            assertTrue(entries.findAny().isEmpty(), "nothing was mounted");
        }
    }
}
