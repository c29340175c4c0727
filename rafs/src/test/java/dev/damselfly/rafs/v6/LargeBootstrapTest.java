package dev.damselfly.rafs.v6;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.inspect.TreeWalker;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 100k-inode bootstrap (9.6 MB, written by {@link SyntheticV6Builder}) opens in well under a second and
 * answers lookups without loading it; the open time is printed and must stay under 500 ms.
 */
class LargeBootstrapTest {

    @Test
    void hundredThousandInodesOpenFast(@TempDir Path dir) throws Exception {
        SyntheticV6Builder b = new SyntheticV6Builder();
        int dirs = 100;
        int perDir = 1000;
        for (int d = 0; d < dirs; d++) {
            SyntheticV6Builder.Node sub = b.dir(b.root(), "dir" + d);
            for (int f = 0; f < perDir; f++) {
                b.file(sub, "file-" + f, f % 10 == 0 ? 1 : 0);
            }
        }
        Path boot = dir.resolve("large.boot");
        byte[] bytes = b.build();
        Files.write(boot, bytes);
        long size = Files.size(boot);

        long t0 = System.nanoTime();
        RafsImage img = RafsImages.open(boot);
        long openMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("opened %d-byte bootstrap with %d inodes in %d ms%n", size, dirs * perDir + dirs + 1, openMillis);
        assertTrue(openMillis < 500, "open took " + openMillis + " ms");

        Random rnd = new Random(42);
        long t1 = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
            int d = rnd.nextInt(dirs);
            int f = rnd.nextInt(perDir);
            long h = img.resolve("/dir" + d + "/file-" + f).orElseThrow();
            assertEquals(f % 10 == 0 ? 1 : 0, img.stat(h).size());
        }
        long lookupMicros = (System.nanoTime() - t1) / 1000 / 2000;
        System.out.printf("random path lookup: %d us each%n", lookupMicros);
        assertEquals(perDir, img.readDir(img.resolve("/dir7").orElseThrow()).size());
        assertEquals(dirs, img.readDir(img.rootHandle()).size());
        img.close();

        // a superblock that understates the inode count bounds the walk (names > 4 × inos + 100,000)
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(1040, 0);
        RafsImage lying = RafsImages.open("inos-0", bytes);
        RafsFormatException e = assertThrows(RafsFormatException.class, () -> TreeWalker.walk(lying, (p, d, a) -> { }));
        assertTrue(e.getMessage().contains("more names than the inode count"), e.getMessage());
    }
}
