package dev.damselfly.rafs.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tar entry names become path components, and nothing that could leave the layer root gets through. */
class TarPathsTest {
    private static List<String> parts(String name) throws TarEntryException {
        return TarPaths.normalise(name, name, 512);
    }

    @Test
    void emptyAndDotComponentsAreDroppedAndATrailingSlashIgnored() throws TarEntryException {
        assertEquals(List.of("usr", "lib", "x.py"), parts("usr/lib/x.py"));
        assertEquals(List.of("a", "b", "c"), parts("./a//b/./c/"));
        assertEquals(List.of("a"), parts("a"));
        assertEquals(List.of(), parts(""));
        assertEquals(List.of(), parts("./"));
        assertEquals(List.of(".a", "..b", "c.."), parts(".a/..b/c.."));
    }

    @Test
    void absoluteAndParentPathsAreRefusedWithTheEntryAndOffset() {
        UnsafeTarPathException absolute = assertThrows(UnsafeTarPathException.class, () -> parts("/etc/passwd"));
        assertTrue(absolute.getMessage().contains("/etc/passwd"), absolute.getMessage());
        assertTrue(absolute.getMessage().contains("512"), absolute.getMessage());
        assertThrows(UnsafeTarPathException.class, () -> parts(".."));
        assertThrows(UnsafeTarPathException.class, () -> parts("a/../../evil"));
        assertThrows(UnsafeTarPathException.class, () -> parts("a/.."));
        assertThrows(UnsafeTarPathException.class, () -> parts("./../x/"));
    }

    @Test
    void componentsAreAtMost255BytesOfUtf8AndHaveNoNul() throws TarEntryException {
        assertEquals(255, parts("d/" + "a".repeat(255)).get(1).length());
        assertThrows(UnsupportedTarEntryException.class, () -> parts("d/" + "a".repeat(256)));
        // 85 three-byte characters are 255 bytes, 86 are 258: the limit counts bytes, not characters
        assertEquals(85, parts("€".repeat(85)).get(0).length());
        assertThrows(UnsupportedTarEntryException.class, () -> parts("€".repeat(86)));
        // 64 four-byte characters (surrogate pairs: 128 chars) are 256 bytes
        assertThrows(UnsupportedTarEntryException.class, () -> parts("😀".repeat(64)));
        assertEquals(1, parts("😀".repeat(63)).size());
        assertThrows(UnsupportedTarEntryException.class, () -> parts("a/b\0c"));
    }
}
