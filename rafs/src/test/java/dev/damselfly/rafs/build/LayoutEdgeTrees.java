package dev.damselfly.rafs.build;

import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import dev.damselfly.testkit.image.TarEntrySpec;
import java.nio.charset.StandardCharsets;

/**
 * A layer that exercises the bootstrap layout's corner cases: multi-block directories (inline tail and
 * flat-plain), a symlink too large to inline after its xattrs (trusted./security.: Linux refuses user.* on
 * symlinks), inodes pushed to the next block by big inline
 * xattrs, files of exactly one chunk, one chunk plus a byte, and all-zero chunks that deduplicate.
 */
final class LayoutEdgeTrees {
    private LayoutEdgeTrees() {
    }

    static LayerTarBuilder of(long seed, int chunkSize) {
        LayerTarBuilder b = LayerTarBuilder.create();
        b.directory("big", 0755);
        for (int i = 0; i < 400; i++) {
            b.file(String.format("big/file-with-a-longish-name-%04d", i), 0644,
                    i % 50 == 0 ? DeterministicBytes.bytes(seed + i, 100 + i) : new byte[0]);
        }
        b.add(TarEntrySpec.directory("fat-dir", 0750).withXattr("user.pad", ascii('p', 3000)));
        for (int i = 0; i < 100; i++) {
            b.symlink(String.format("fat-dir/link-%03d", i), "../big/file-with-a-longish-name-" + String.format("%04d", i));
        }
        b.add(TarEntrySpec.symlink("plain-link", "t".repeat(2000))
                .withXattr("trusted.one", ascii('a', 1500)).withXattr("security.two", ascii('b', 1000)));
        for (int i = 0; i < 6; i++) {
            b.add(TarEntrySpec.file("xattr-heavy-" + i, 0600, DeterministicBytes.bytes(seed * 3 + i, 5000 * i))
                    .withXattr("user.x", ascii((char) ('c' + i), 3500 - 400 * i)));
        }
        b.file("one-chunk", 0644, DeterministicBytes.bytes(seed ^ 1, chunkSize));
        b.file("one-chunk-plus-one", 0644, DeterministicBytes.bytes(seed ^ 2, chunkSize + 1));
        b.file("zeros", 0644, new byte[3 * chunkSize + 17]);
        b.file("more-zeros", 0644, new byte[chunkSize]);
        return b;
    }

    private static byte[] ascii(char c, int n) {
        return String.valueOf(c).repeat(n).getBytes(StandardCharsets.US_ASCII);
    }
}
