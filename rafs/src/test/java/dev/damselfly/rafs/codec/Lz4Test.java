package dev.damselfly.rafs.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Lz4Test {
    @Test
    void theLibraryCopyThisProcessMappedIsGoneOnceTheFactoryIsMade() throws IOException {
        byte[] data = "lz4 lz4 lz4 lz4 lz4 lz4 lz4 lz4".getBytes(StandardCharsets.US_ASCII);
        byte[] packed = Lz4.factory().fastCompressor().compress(data);
        assertArrayEquals(data, Lz4.factory().safeDecompressor().decompress(packed, data.length));

        List<String> lz4Mappings = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("/" + Lz4.COPY_PREFIX)).toList();
        assertFalse(lz4Mappings.isEmpty(), "lz4-java's native library is mapped (else this test proves nothing)");
        for (String line : lz4Mappings) {
            Path file = Path.of(line.substring(line.indexOf('/')).replace(" (deleted)", ""));
            assertFalse(Files.exists(file), "still on disk: " + line);
            assertFalse(Files.exists(file.resolveSibling(file.getFileName() + ".lck")), "lock still on disk: " + line);
        }
    }

    @Test
    void removesListedCopiesAndTheirLocksAndNothingElse(@TempDir Path dir) throws IOException {
        Path copy = Files.writeString(dir.resolve("liblz4-java-123.so"), "elf");
        Path lock = Files.writeString(dir.resolve("liblz4-java-123.so.lck"), "");
        Path other = Files.writeString(dir.resolve("libzstd-jni-1.so"), "elf");
        Path unlisted = Files.writeString(dir.resolve("liblz4-java-456.so"), "elf");
        Path maps = Files.write(dir.resolve("maps"), List.of(
                "7f00-7f01 r--p 00000000 fd:01 11 " + copy,
                "7f01-7f02 r-xp 00001000 fd:01 11 " + copy,
                "7f02-7f03 r--p 00000000 fd:01 12 " + other,
                "7f03-7f04 r--p 00000000 fd:01 13 " + dir.resolve("liblz4-java-789.so") + " (deleted)",
                "7f04-7f05 rw-p 00000000 00:00 0 ",
                "7ffd-7ffe rw-p 00000000 00:00 0                          [stack]"));

        assertEquals(List.of(copy), Lz4.removeMappedCopies(maps));
        assertFalse(Files.exists(copy));
        assertFalse(Files.exists(lock));
        assertTrue(Files.exists(other));
        assertTrue(Files.exists(unlisted));
    }
}
