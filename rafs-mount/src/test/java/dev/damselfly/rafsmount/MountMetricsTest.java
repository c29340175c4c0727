package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.source.FileBlobSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading through a real FUSE mount moves the mount's meters: read latency (with a percentile histogram),
 * bytes read, fetched bytes tagged with the source kind, cache misses on a cold cache and hits (and no fetches)
 * after a remount on the same cache, the cache-size gauge while mounted; no verification failures on a good blob.
 * A Prometheus registry beside it shows the exposition names {@code damselfly node} promises (node-contract.md),
 * including the latency histogram's buckets.
 */
class MountMetricsTest {
    private static final String FILE = "usr/lib/a.bin";

    @TempDir
    Path tmp;

    @Test
    void readsThroughTheMountMoveTheMeters() throws Exception {
        BuiltImage img = BuiltImage.small(tmp.resolve("img"));
        int chunks = img.chunksOf(FILE).size();
        assertEquals(5, chunks);
        byte[] expected = img.files().get(FILE);
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Path cache = tmp.resolve("cache");

        SimpleMeterRegistry cold = new SimpleMeterRegistry();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CompositeMeterRegistry both = new CompositeMeterRegistry();
        both.add(cold);
        both.add(prometheus);
        try (FileBlobSource files = FileBlobSource.directory(img.blobDir());
             MountHandle m = RafsMount.mount(img.bootstrap(), mp,
                     MountOptions.of(files).withCache(cache, 1L << 30).withMeterRegistry(both))) {
            assertArrayEquals(expected, Files.readAllBytes(mp.resolve(FILE)));

            Timer latency = cold.find(MountMetrics.READ_LATENCY).timer();
            assertNotNull(latency, "read latency timer registered");
            assertTrue(latency.count() >= 1, "FUSE reads timed: " + latency.count());
            assertTrue(latency.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
            assertEquals(expected.length, counter(cold, MountMetrics.READ_BYTES, null, null), "bytes read through FUSE");
            double fetched = counter(cold, MountMetrics.FETCH_BYTES, "source", "file");
            assertTrue(fetched > 0 && fetched <= Files.size(img.blob()), "fetched bytes tagged source=file: " + fetched);
            double miss = counter(cold, MountMetrics.CACHE, "result", "miss");
            double hit = counter(cold, MountMetrics.CACHE, "result", "hit");
            assertTrue(miss >= 1, "a cold cache misses: " + miss);
            assertTrue(miss + hit >= chunks, "every chunk of the file was wanted once at least: " + miss + "+" + hit);
            assertEquals(0, counter(cold, MountMetrics.VERIFICATION_FAILURES, null, null));
            Gauge size = cold.find(MountMetrics.CACHE_SIZE).tag("mountpoint", mp.toString()).gauge();
            assertNotNull(size, "cache size gauge registered");
            assertTrue(size.value() >= expected.length, "cache holds the file's chunks: " + size.value());
            String scrape = prometheus.scrape();
            for (String line : new String[] {
                "damselfly_mount_read_latency_seconds_bucket{le=",
                "damselfly_mount_read_latency_seconds_count ",
                "damselfly_mount_read_bytes_total ",
                "damselfly_mount_chunk_fetch_bytes_total{source=\"file\"} ",
                "damselfly_mount_chunk_cache_total{result=\"miss\"} ",
                "damselfly_mount_chunk_cache_total{result=\"hit\"} ",
                "damselfly_mount_verification_failures_total 0.0",
                "damselfly_mount_cache_size_bytes{mountpoint=",
            }) {
                assertTrue(scrape.contains(line), "Prometheus exposition has " + line + ":\n" + scrape);
            }
        }
        assertNull(cold.find(MountMetrics.CACHE_SIZE).gauge(), "the per-mount gauge goes with the mount");

        SimpleMeterRegistry warm = new SimpleMeterRegistry();
        try (FileBlobSource files = FileBlobSource.directory(img.blobDir());
             MountHandle m = RafsMount.mount(img.bootstrap(), mp,
                     MountOptions.of(files).withCache(cache, 1L << 30).withMeterRegistry(warm))) {
            assertArrayEquals(expected, Files.readAllBytes(mp.resolve(FILE)));
            assertEquals(0, counter(warm, MountMetrics.FETCH_BYTES, "source", "file"), "nothing fetched from a warm cache");
            assertEquals(0, counter(warm, MountMetrics.CACHE, "result", "miss"));
            assertTrue(counter(warm, MountMetrics.CACHE, "result", "hit") >= chunks, "every chunk a hit");
            assertEquals(expected.length, counter(warm, MountMetrics.READ_BYTES, null, null));
        }
    }

    private static double counter(SimpleMeterRegistry r, String name, String tag, String value) {
        var search = r.find(name);
        if (tag != null) {
            search = search.tag(tag, value);
        }
        Counter c = search.counter();
        return c == null ? 0 : c.count();
    }
}
