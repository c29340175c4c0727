package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.source.FileBlobSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image built here with {@code LayerBuilder} whose blob has two bytes flipped inside one chunk of one file:
 * with only the damaged blob, that file fails with EIO while every other file reads right, the mount stays up
 * and the verification-failure counter moves; with the damaged source first and an intact copy second, the
 * same read succeeds from the second source (one verification failure, then the good bytes).
 */
class CorruptChunkFallbackTest {
    private static final String VICTIM = "usr/lib/a.bin";

    @TempDir
    Path tmp;

    @Test
    void damagedChunkIsEioAloneAndComesFromTheNextSourceWhenThereIsOne() throws Exception {
        BuiltImage img = BuiltImage.small(tmp.resolve("img"));
        Path good = Files.createDirectory(tmp.resolve("good"));
        Files.copy(img.blob(), good.resolve(img.blobId()));
        List<ChunkRef> chunks = img.chunksOf(VICTIM);
        img.corrupt(chunks.get(2)); // a chunk in the middle of the file
        Path mp = Files.createDirectory(tmp.resolve("mnt"));

        SimpleMeterRegistry onlyBad = new SimpleMeterRegistry();
        try (FileBlobSource bad = FileBlobSource.directory(img.blobDir());
             MountHandle m = RafsMount.mount(img.bootstrap(), mp, MountOptions.of(bad)
                     .withCache(tmp.resolve("cache-1"), 1L << 30).withMeterRegistry(onlyBad))) {
            IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(mp.resolve(VICTIM)));
            assertTrue(String.valueOf(e.getMessage()).contains("Input/output error"), "EIO: " + e);
            double failures = counter(onlyBad, MountMetrics.VERIFICATION_FAILURES);
            assertTrue(failures >= 2, "the fetch and its retry both failed verification: " + failures);
            for (Map.Entry<String, byte[]> f : img.files().entrySet()) {
                if (!f.getKey().equals(VICTIM)) {
                    assertArrayEquals(f.getValue(), Files.readAllBytes(mp.resolve(f.getKey())), f.getKey() + " reads fine");
                }
            }
            byte[] head = new byte[4096];
            try (var in = Files.newInputStream(mp.resolve(VICTIM))) {
                assertEquals(head.length, in.readNBytes(head, 0, head.length), "the undamaged first chunk still reads");
            }
            assertArrayEquals(java.util.Arrays.copyOf(img.files().get(VICTIM), head.length), head);
            assertThrows(IOException.class, () -> Files.readAllBytes(mp.resolve(VICTIM)), "still EIO on a second try");
            assertTrue(m.isMounted(), "the mount stays up");
        }

        SimpleMeterRegistry fallback = new SimpleMeterRegistry();
        try (FileBlobSource bad = FileBlobSource.directory(img.blobDir());
             FileBlobSource intact = FileBlobSource.directory(good);
             MountHandle m = RafsMount.mount(img.bootstrap(), mp, MountOptions.of(bad, intact)
                     .withCache(tmp.resolve("cache-2"), 1L << 30).withMeterRegistry(fallback))) {
            assertArrayEquals(img.files().get(VICTIM), Files.readAllBytes(mp.resolve(VICTIM)),
                    "the damaged chunk comes verified from the second source");
            assertEquals(1, counter(fallback, MountMetrics.VERIFICATION_FAILURES),
                    "one failed attempt (first source), then good bytes from the second, cached once");
        }
    }

    private static double counter(SimpleMeterRegistry r, String name) {
        Counter c = r.find(name).counter();
        return c == null ? 0 : c.count();
    }
}
