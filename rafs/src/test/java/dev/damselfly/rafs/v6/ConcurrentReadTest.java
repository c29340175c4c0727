package dev.damselfly.rafs.v6;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One memory-mapped image, one file-backed blob, many threads: lookups and verified reads stay correct. */
class ConcurrentReadTest {

    @Test
    void parallelLookupsAndReads(@TempDir Path dir) throws Exception {
        SyntheticV6Builder b = new SyntheticV6Builder();
        List<SyntheticV6Builder.Node> files = new ArrayList<>();
        for (int d = 0; d < 4; d++) {
            SyntheticV6Builder.Node sub = b.dir(b.root(), "d" + d);
            for (int f = 0; f < 50; f++) {
                files.add(b.file(sub, "f" + f, 600L * f * f + 17));
            }
        }
        Path boot = dir.resolve("boot");
        Files.write(boot, b.build());
        Path blobFile = dir.resolve("blob");
        Files.write(blobFile, b.blob());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (RafsImage img = RafsImages.open(boot); FileBlobByteSource blob = new FileBlobByteSource(blobFile)) {
            FileContentReader reader = new FileContentReader(img, i -> blob, true);
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                jobs.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < 100; i++) {
                        int k = rnd.nextInt(files.size());
                        SyntheticV6Builder.Node n = files.get(k);
                        long h = img.resolve("/d" + (k / 50) + "/f" + (k % 50)).orElseThrow();
                        byte[] all = SyntheticV6Builder.contentOf(n);
                        int off = rnd.nextInt(all.length);
                        int len = rnd.nextInt(100_000);
                        byte[] got = reader.read(h, off, len);
                        assertArrayEquals(Arrays.copyOfRange(all, off, Math.min(all.length, off + len)), got);
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
