package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob with flipped bytes: the file using the damaged chunk fails with EIO (one fetch and one retry per
 * FUSE read), every other file reads fine, the mount stays up, and nothing unverified reaches the cache.
 */
class CorruptBlobTest {
    private static final String BB = "/normal-file-test/busybox/1f777dbdd68d1c4d554bc0d20e027bfef9ed2dfe2d8d5f029e958552a0e12475";

    @TempDir
    Path tmp;

    /** Uncompressed SHA-256 image: only the digest check can notice the damage. */
    @Test
    void uncompressedChunkCaughtByItsDigest() throws Exception {
        check(Fixtures.V5_SHA256, Fixtures.V5_BLOBS, Fixtures.V5_BLOB_ID, "sha256-nocompress-repeatable.txt",
                BB + "/etc/passwd", BB + "/etc/group");
    }

    /** zstd + BLAKE3 image. */
    @Test
    void compressedChunk() throws Exception {
        check(Fixtures.V6_BOOT, Fixtures.V6_BLOBS, Fixtures.V6_BLOB_ID, "rafs-v6-2.2.boot.txt", "/lib.rs", "/sync_io.rs");
    }

    private void check(String bootName, String blobsDir, String blobId, String listing, String victim, String healthy) throws Exception {
        Path blobs = Files.createDirectory(tmp.resolve("blobs"));
        Path original = Fixtures.path(blobsDir).resolve(blobId);
        Path blob = Files.copy(original, blobs.resolve(blobId));
        Path boot = Fixtures.path(bootName);
        ChunkRef damaged;
        try (RafsImage image = RafsImages.open(boot)) {
            List<ChunkRef> chunks = image.chunks(image.resolve(victim).getAsLong());
            assertEquals(1, chunks.size());
            damaged = chunks.get(0);
        }
        byte[] bytes = Files.readAllBytes(blob);
        int at = (int) (damaged.compressedOffset() + damaged.compressedSize() / 2);
        bytes[at] ^= 0x5A;
        bytes[at + 1] ^= 0x5A;
        Files.write(blob, bytes);

        Map<String, String> expected = Fixtures.expectedSha256(listing);
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Path cache = tmp.resolve("cache");
        try (FileBlobSource files = FileBlobSource.directory(blobs)) {
            CountingBlobSource counting = new CountingBlobSource(files);
            try (MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(counting).withCache(cache, 1L << 30))) {
                IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(mp.resolve(victim.substring(1))));
                assertTrue(String.valueOf(e.getMessage()).contains("Input/output error"), e.toString());
                // the kernel may repeat a failed page read; each FUSE read makes one fetch and one retry
                long n = counting.readsCovering(blobId, damaged.compressedOffset(), damaged.compressedOffset() + damaged.compressedSize());
                assertTrue(n >= 2 && n % 2 == 0, "one fetch and one retry per FUSE read: " + counting.reads());
                assertEquals(expected.get(healthy), Sha256.of(mp.resolve(healthy.substring(1))));
                assertThrows(IOException.class, () -> Files.readAllBytes(mp.resolve(victim.substring(1))), "still failing");
                try (Stream<Path> s = Files.list(mp)) {
                    assertTrue(s.count() > 0);
                }
                assertTrue(m.isMounted());
            }
        }
        Files.copy(original, blob, StandardCopyOption.REPLACE_EXISTING);
        try (FileBlobSource good = FileBlobSource.directory(blobs);
             MountHandle m = RafsMount.mount(boot, mp, MountOptions.of(good).withCache(cache, 1L << 30))) {
            assertEquals(expected.get(victim), Sha256.of(mp.resolve(victim.substring(1))), "a good blob reads fine: nothing bad was cached");
        }
    }
}
