package dev.damselfly.rafs.build;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import dev.damselfly.testkit.image.TarEntrySpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Random small trees (every entry type, repeated content for dedup) survive build → read back. */
class RandomTreePropertyTest {

    @Property(tries = 40)
    void randomTreesRoundTrip(@ForAll long seed, @ForAll @IntRange(min = 12, max = 16) int chunkBits,
                              @ForAll Compression compression, @ForAll DigestAlgorithm digest,
                              @ForAll boolean aligned) throws Exception {
        if (compression == Compression.GZIP) {
            compression = Compression.ZSTD;
        }
        LayerBuildOptions opts = new LayerBuildOptions(1 << chunkBits, aligned ? Compression.NONE : compression, digest, aligned);
        LayerTarBuilder b = randomTree(new Random(seed));
        Path dir = Files.createTempDirectory("damselfly-prop");
        try {
            LayerBuildResult r = new LayerBuilder(opts).build(new ByteArrayInputStream(b.toByteArray()),
                    dir.resolve("boot"), dir.resolve("blob"));
            try (RafsImage img = RafsImages.open(r.bootstrap()); FileBlobByteSource blob = new FileBlobByteSource(r.blob())) {
                ExpectedTree.of(b.entries()).assertMatches(img, blob);
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static LayerTarBuilder randomTree(Random rnd) {
        LayerTarBuilder b = LayerTarBuilder.create();
        List<String> dirs = new ArrayList<>(List.of(""));
        List<String> files = new ArrayList<>();
        byte[] shared = DeterministicBytes.bytes(rnd.nextLong(), 5000 + rnd.nextInt(20000));
        int n = 1 + rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            String parent = dirs.get(rnd.nextInt(dirs.size()));
            String name = (parent.isEmpty() ? "" : parent + "/") + name(rnd, i);
            Instant mtime = Instant.ofEpochSecond(rnd.nextInt(2_000_000_000));
            int kind = rnd.nextInt(10);
            TarEntrySpec s;
            switch (kind) {
                case 0, 1 -> {
                    s = TarEntrySpec.directory(name, rnd.nextInt(01000) | 0700);
                    dirs.add(name);
                }
                case 2 -> s = TarEntrySpec.symlink(name, "t".repeat(1 + rnd.nextInt(300)));
                case 3 -> {
                    if (files.isEmpty()) {
                        continue;
                    }
                    s = TarEntrySpec.hardLink(name, files.get(rnd.nextInt(files.size())));
                }
                case 4 -> s = rnd.nextBoolean() ? TarEntrySpec.charDevice(name, 0600, rnd.nextInt(4096), rnd.nextInt(1 << 20))
                        : TarEntrySpec.fifo(name, 0644);
                case 5 -> s = TarEntrySpec.file(name, 0644, shared);
                default -> {
                    int size = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(70_000);
                    s = TarEntrySpec.file(name, rnd.nextInt(010000), DeterministicBytes.bytes(rnd.nextLong(), size));
                }
            }
            if (s.type() == TarEntrySpec.Type.FILE) {
                files.add(name);
            }
            if (s.type() != TarEntrySpec.Type.HARDLINK) {
                s = s.withOwner(rnd.nextInt(70_000), rnd.nextInt(70_000)).withMtime(mtime);
                if (rnd.nextInt(4) == 0) {
                    s = s.withXattr("user.k" + rnd.nextInt(5), ("v" + rnd.nextInt()).getBytes(StandardCharsets.UTF_8));
                }
            }
            b.add(s);
        }
        return b;
    }

    private static String name(Random rnd, int i) {
        String[] pool = {"a", "B", "z-", ".hidden", "-dash", "ünï", "long" + "x".repeat(rnd.nextInt(200)), "+", ".wh.gone"};
        return pool[rnd.nextInt(pool.length)] + i;
    }
}
