package dev.damselfly.rafsmount.fuse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's rehearsal of a mount's first requests: every file read whole, twice per round, and nothing left behind. */
class RequestPathWarmUpTest {
    @TempDir
    Path tmp;

    @Test
    void readsEveryFileOfTheTreeTwicePerRoundAndRemovesItsScratch() throws Exception {
        long fileBytes = 0;
        int files = 0;
        int dirs = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(RequestPathWarmUp.tree()))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isDirectory()) {
                    dirs++;
                } else {
                    files++;
                    fileBytes += e.getSize();
                }
            }
        }
        assertEquals(RequestPathWarmUp.DIRECTORIES, dirs);
        assertEquals(RequestPathWarmUp.DIRECTORIES * RequestPathWarmUp.FILES_PER_DIRECTORY + RequestPathWarmUp.LARGE_FILES, files);

        Path scratch = Files.createDirectories(tmp.resolve("warm-up"));
        Files.writeString(scratch.resolve("left-by-a-killed-node"), "x");
        RequestPathWarmUp.Result result = RequestPathWarmUp.run(scratch);

        assertEquals(RequestPathWarmUp.ROUNDS * 2 * fileBytes, result.readBytes());
        long readsPerPass = files - RequestPathWarmUp.LARGE_FILES
                + RequestPathWarmUp.LARGE_FILES * ((RequestPathWarmUp.LARGE_FILE_BYTES + (128 << 10) - 1) / (128 << 10));
        // per round: a LOOKUP per name, two passes of READs, and READDIRPLUS calls (at least one per directory)
        long atLeast = RequestPathWarmUp.ROUNDS * (files + dirs + 2 * readsPerPass + dirs + 1);
        long readdirs = (result.requests() - atLeast) / RequestPathWarmUp.ROUNDS;
        assertFalse(result.requests() < atLeast || readdirs > 200, "requests: " + result.requests() + ", at least " + atLeast);
        assertFalse(Files.exists(scratch), "the scratch directory is removed");
    }
}
