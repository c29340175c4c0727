package dev.damselfly.testkit.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failing debootstrap is a typed error with its command and output, and leaves no cache entry. */
class DebianRootfsTest {
    @TempDir
    Path dir;

    @Test
    void aFailedDebootstrapNamesItsCommandAndOutputAndCachesNothing() throws Exception {
        String mirror = "http://127.0.0.1:9/debian"; // the discard port: nothing answers
        DebianRootfs bad = DebianRootfs.of("bookworm", List.of("python3-minimal"), mirror).withCacheDir(dir);
        DebootstrapException e = assertThrows(DebootstrapException.class, bad::tree);
        assertEquals(DebianRootfs.DEBOOTSTRAP, e.command().get(0));
        assertTrue(e.command().containsAll(List.of("--variant=minbase", "--include=python3-minimal", "bookworm", mirror)), e.command().toString());
        assertTrue(e.exitCode() > 0, "exit " + e.exitCode());
        assertTrue(e.outputTail().contains("Failed getting release file " + mirror), e.getMessage());
        assertTrue(e.getMessage().startsWith("debootstrap failed (exit "), e.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(bad.cacheKey() + ".lock"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void theCacheKeyNamesSuiteAndVariantAndSeparatesPackagesAndMirrors() {
        DebianRootfs base = DebianRootfs.bookwormWithPython();
        assertTrue(base.cacheKey().matches("debian-bookworm-minbase-[0-9a-f]{12}"), base.cacheKey());
        assertEquals(base.cacheKey(), DebianRootfs.of("bookworm", List.of("python3-minimal"), DebianRootfs.DEFAULT_MIRROR).cacheKey());
        assertNotEquals(base.cacheKey(), DebianRootfs.of("bookworm", List.of(), DebianRootfs.DEFAULT_MIRROR).cacheKey());
        assertNotEquals(base.cacheKey(), DebianRootfs.of("bookworm", List.of("python3-minimal"), "http://mirror.example/debian").cacheKey());
        assertTrue(DebianRootfs.of("trixie", List.of(), DebianRootfs.DEFAULT_MIRROR).cacheKey().startsWith("debian-trixie-minbase-"));
        assertThrows(IllegalArgumentException.class, () -> DebianRootfs.of("../x", List.of(), DebianRootfs.DEFAULT_MIRROR));
        assertThrows(IllegalArgumentException.class, () -> DebianRootfs.of("bookworm", List.of("a,b"), DebianRootfs.DEFAULT_MIRROR));
    }
}
