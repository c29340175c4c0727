package dev.damselfly.peer.node.mounts;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryPathWarmUpTest {
    @Test
    void readsTheFirstChunkOfEachFileBackThroughItsOwnRegistryAndLeavesNothing(@TempDir Path dir) throws Exception {
        Path scratch = dir.resolve("mount-warm-up");
        Files.createDirectories(scratch.resolve("left/by/a/killed/node"));
        long bytes = RegistryPathWarmUp.run(scratch);
        // the first chunk of each sample file: 1 MiB of random bytes (zstd cannot shrink it) and one short line
        assertTrue(bytes > 1L << 20 && bytes < (1L << 20) + 100, "read back " + bytes + " bytes");
        assertFalse(Files.exists(scratch), "the scratch directory is removed");
    }
}
