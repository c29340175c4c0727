package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.damselfly.rafsmount.source.FileBlobSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order of first reads is exported on unmount, one path per line; stat and readdir do not count. */
class AccessTraceTest {
    private static final String BB = "/normal-file-test/busybox/1f777dbdd68d1c4d554bc0d20e027bfef9ed2dfe2d8d5f029e958552a0e12475";

    @TempDir
    Path tmp;

    @Test
    void firstReadOrderIsWrittenOnUnmount() throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Path trace = tmp.resolve("trace.txt");
        try (FileBlobSource files = FileBlobSource.directory(Fixtures.path(Fixtures.V5_BLOBS));
             MountHandle m = RafsMount.mount(Fixtures.path(Fixtures.V5_SHA256), mp, MountOptions.of(files).withAccessTrace(trace))) {
            Files.size(mp.resolve(BB.substring(1) + "/etc/group"));
            Files.readAllBytes(mp.resolve(BB.substring(1) + "/etc/passwd"));
            Files.readAllBytes(mp.resolve(BB.substring(1) + "/VERSION"));
            Files.readAllBytes(mp.resolve(BB.substring(1) + "/etc/passwd"));
            Files.readAllBytes(mp.resolve(BB.substring(1) + "/json"));
            assertEquals(List.of(BB + "/etc/passwd", BB + "/VERSION", BB + "/json"), m.accessTrace());
        }
        assertEquals(List.of(BB + "/etc/passwd", BB + "/VERSION", BB + "/json"), Files.readAllLines(trace));
    }
}
