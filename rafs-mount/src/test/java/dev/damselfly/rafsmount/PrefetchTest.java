package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafsmount.prefetch.PrefetchPolicy;
import dev.damselfly.rafsmount.prefetch.PrefetchProgress;
import dev.damselfly.rafsmount.prefetch.Prefetcher;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Background prefetch into the blob cache: with the blobs gone afterwards, every file still reads. */
class PrefetchTest {
    @TempDir
    Path tmp;

    @Test
    void prefetchAllThenEveryFileReadsWithTheBlobsGone() throws Exception {
        Map<String, String> expected = Fixtures.expectedSha256("sha256-nocompress-repeatable.txt");
        Path blobs = Files.createDirectory(tmp.resolve("blobs"));
        Files.copy(Fixtures.path(Fixtures.V5_BLOBS).resolve(Fixtures.V5_BLOB_ID), blobs.resolve(Fixtures.V5_BLOB_ID));
        Path cache = tmp.resolve("cache");
        Path boot = Fixtures.path(Fixtures.V5_SHA256);
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource files = FileBlobSource.directory(blobs)) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(counting).withCache(cache, 1L << 30))) {
                Prefetcher prefetch = m.startPrefetch(PrefetchPolicy.all());
                assertTrue(prefetch.await(60, TimeUnit.SECONDS), "prefetch finishes");
                PrefetchProgress progress = prefetch.progress();
                assertEquals(expected.size(), progress.filesPlanned(), "every regular file with content is planned: " + progress);
                assertEquals(progress.filesPlanned(), progress.filesDone());
                assertEquals(0, progress.failures());
                assertTrue(progress.bytesFetched() > 0);
                assertThrows(IllegalStateException.class, () -> m.startPrefetch(PrefetchPolicy.all()), "once per mount");
            }
            assertTrue(counting.reads().size() > 0);
        }
        Files.delete(blobs.resolve(Fixtures.V5_BLOB_ID));
        try (FileBlobSource gone = FileBlobSource.directory(blobs);
             MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(gone).withCache(cache, 1L << 30))) {
            for (Map.Entry<String, String> file : expected.entrySet()) {
                assertEquals(file.getValue(), Sha256.of(mp.resolve(file.getKey().substring(1))), file.getKey());
            }
        }
    }

    @Test
    void bandwidthLimitSlowsThePrefetchAndAListComesFirst() throws Exception {
        Map<String, String> expected = Fixtures.expectedSha256("sha256-nocompress-repeatable.txt");
        String first = expected.keySet().iterator().next();
        Path boot = Fixtures.path(Fixtures.V5_SHA256);
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS));
             MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(files).withCache(tmp.resolve("cache"), 1L << 30))) {
            long start = System.nanoTime();
            Prefetcher prefetch = m.startPrefetch(new PrefetchPolicy(false, 1 << 20, List.of(first, "/not/there")));
            assertTrue(prefetch.await(60, TimeUnit.SECONDS));
            double seconds = (System.nanoTime() - start) / 1e9;
            PrefetchProgress progress = prefetch.progress();
            assertEquals(1, progress.filesPlanned(), "only the listed file that exists: " + progress);
            double floor = progress.bytesFetched() / (double) (1 << 20) * 0.9;
            assertTrue(seconds >= floor, progress.bytesFetched() + " bytes at 1 MiB/s took only " + seconds + " s");
        }
    }

    @Test
    void prefetchWithoutACacheIsRefused() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS));
             MountHandle m = RafsMount.mount(Fixtures.path(Fixtures.V5_SHA256), mp, MountOptions.of(files))) {
            assertThrows(IllegalStateException.class, () -> m.startPrefetch(PrefetchPolicy.table()));
        }
    }
}
