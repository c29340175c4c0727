package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.testkit.image.ContentSource;
import dev.damselfly.testkit.image.LayerTarBuilder;
import dev.damselfly.testkit.image.TarEntrySpec;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file several times larger than the builder's heap streams through: the build runs in a forked JVM with
 * {@code -Xmx32m} on a tar holding a 160 MiB file, and the result reads back to the same bytes.
 */
class BoundedMemoryTest {
    private static final long BIG = 160L << 20;

    @TempDir
    Path dir;

    @Test
    void fileLargerThanTheHeapIsChunkedAsItStreams() throws Exception {
        Path tar = dir.resolve("big.tar");
        LayerTarBuilder b = LayerTarBuilder.create()
                .add(TarEntrySpec.file("big.bin", 0644, BIG, ContentSource.random(77, BIG)));
        try (OutputStream out = Files.newOutputStream(tar)) {
            b.writeTo(out);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = Processes.ok(List.of(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                BuildMain.class.getName(), tar.toString(), dir.resolve("boot").toString(), dir.resolve("blob").toString()));
        assertTrue(out.contains("chunks 160"), out);
        Files.delete(tar);
        MessageDigest want = MessageDigest.getInstance("SHA-256");
        try (InputStream in = ContentSource.random(77, BIG).open()) {
            in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), want));
        }
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        try (RafsImage img = RafsImages.open(dir.resolve("boot")); FileBlobByteSource blob = new FileBlobByteSource(dir.resolve("blob"))) {
            long h = img.resolve("/big.bin").getAsLong();
            assertEquals(BIG, img.stat(h).size());
            new FileContentReader(img, i -> blob, true).copyTo(h, new DigestOutputStream(OutputStream.nullOutputStream(), got));
        }
        assertArrayEquals(want.digest(), got.digest());
    }
}
