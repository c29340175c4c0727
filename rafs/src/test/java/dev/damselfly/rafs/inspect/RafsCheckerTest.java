package dev.damselfly.rafs.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.Fixtures;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import org.junit.jupiter.api.Test;

class RafsCheckerTest {

    /**
     * Counts from the expected listing: 3517 entries = 2627 files + 678 directories + 212 symlinks; all 2515
     * chunks referenced. (The fixture README says 679 dirs: 2627 + 679 + 212 would be 3518, one more than the
     * 3517 inodes it states; the listing has 678 directory lines.)
     */
    @Test
    void realWorldV6ImageChecksClean() throws Exception {
        try (RafsImage img = RafsImages.open("image.boot", Fixtures.tarGzEntry(Fixtures.V6_LAYER, "image/image.boot"))) {
            RafsChecker.Report r = RafsChecker.check(img);
            assertEquals(3517, r.entries());
            assertEquals(2627, r.files());
            assertEquals(678, r.directories());
            assertEquals(212, r.symlinks());
            assertEquals(0, r.others());
            assertEquals(img.blobs().get(0).chunkCount(), r.distinctChunks(), "every chunk of the blob is referenced");
            assertEquals(3517, img.inodeCount());
            String text = r.render();
            assertTrue(text.startsWith("RAFS filesystem metadata is valid, referenced data blobs:\n\t 0: cdde6f56"), text);
            assertTrue(text.contains("chunk count 2515, features: aligned\n"), text);
        }
    }

    @Test
    void blobFeatureNamesOfTheTocBlob() throws Exception {
        try (RafsImage img = RafsImages.open(Fixtures.path(Fixtures.V6_BOOT))) {
            String text = RafsChecker.check(img).render();
            assertTrue(text.contains("features: aligned chunk-digest tar-header toc cap_toc\n"), text);
            assertTrue(text.contains("entries 3: 2 files, 1 directories, 0 symlinks, 0 other; 2 chunk references, 2 distinct chunks"), text);
        }
    }
}
