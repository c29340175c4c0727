package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.tar.BadLinkException;
import dev.damselfly.rafs.tar.CorruptTarException;
import dev.damselfly.rafs.tar.DuplicateTarEntryException;
import dev.damselfly.rafs.tar.FileChannelInputStream;
import dev.damselfly.rafs.tar.TarEntryException;
import dev.damselfly.rafs.tar.UnsafeTarPathException;
import dev.damselfly.rafs.tar.UnsupportedTarEntryException;
import dev.damselfly.testkit.image.TestTrees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tars a layer must not contain fail with a typed {@link TarEntryException} naming the entry, and leave no
 * output (and nothing anywhere else) behind.
 */
class BadTarTest {
    @TempDir
    Path dir;

    /** A raw tar writer that does not sanitise names. */
    private static final class RawTar {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());

        RawTar() {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        RawTar file(String name, String content) throws IOException {
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(b.length);
            tar.putArchiveEntry(e);
            tar.write(b);
            tar.closeArchiveEntry();
            return this;
        }

        RawTar dir(String name) throws IOException {
            tar.putArchiveEntry(new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true));
            tar.closeArchiveEntry();
            return this;
        }

        RawTar link(String name, String target, byte type) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return this;
        }

        RawTar entry(TarArchiveEntry e) throws IOException {
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
            return this;
        }

        byte[] bytes() throws IOException {
            tar.finish();
            return bytes.toByteArray();
        }
    }

    private <T extends TarEntryException> T fails(Class<T> type, byte[] tar, String entry) throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        T e = assertThrows(type, () -> new LayerBuilder().build(new ByteArrayInputStream(tar), out.resolve("boot"), out.resolve("blob")));
        if (entry != null) {
            assertEquals(entry, e.entry(), e.getMessage());
            assertTrue(e.getMessage().contains(entry), e.getMessage());
        }
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of(), s.toList(), "a failed build leaves nothing behind");
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(out), s.toList(), "nothing written next to the output directory");
        }
        return e;
    }

    @Test
    void aLayerFileThatShrinksWhileItIsReadIsATruncatedTarAndLeavesNothing() throws IOException {
        RawTar t = new RawTar();
        for (int i = 0; i < 64; i++) {
            t.file("f" + i, "x".repeat(8192));
        }
        Path layer = Files.write(dir.resolve("layer.tar"), t.bytes());
        Path out = Files.createDirectories(dir.resolve("out"));
        try (FileChannelInputStream in = FileChannelInputStream.open(layer)) {
            assertEquals(512, in.skip(512)); // the stream is open and under way when the file shrinks
            try (FileChannel c = FileChannel.open(layer, StandardOpenOption.WRITE)) {
                c.truncate(8 * 8704 + 100);
            }
            byte[] rest = in.readAllBytes();
            assertEquals(8 * 8704 + 100 - 512, rest.length, "the stream ends where the file now ends");
        }
        CorruptTarException e = assertThrows(CorruptTarException.class,
                () -> new LayerBuilder().build(layer, out.resolve("boot"), out.resolve("blob")));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("offset " + 8 * 8704), e.getMessage());
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of(), s.toList(), "a failed build leaves nothing behind");
        }
    }

    @Test
    void absolutePath() throws IOException {
        fails(UnsafeTarPathException.class, new RawTar().file("ok", "x").file("/etc/passwd", "evil").bytes(), "/etc/passwd");
    }

    @Test
    void dotDotPaths() throws IOException {
        fails(UnsafeTarPathException.class, new RawTar().file("../evil", "x").bytes(), "../evil");
        fails(UnsafeTarPathException.class, new RawTar().dir("a").file("a/../../evil", "x").bytes(), "a/../../evil");
    }

    @Test
    void hardLinksEscapingTheLayer() throws IOException {
        fails(UnsafeTarPathException.class, new RawTar().link("pw", "../../etc/passwd", TarConstants.LF_LINK).bytes(), "pw");
        fails(UnsafeTarPathException.class, new RawTar().link("pw", "/etc/passwd", TarConstants.LF_LINK).bytes(), "pw");
    }

    @Test
    void hardLinksToNothingOrToADirectory() throws IOException {
        BadLinkException e = fails(BadLinkException.class, new RawTar().link("l", "missing", TarConstants.LF_LINK).bytes(), "l");
        assertTrue(e.getMessage().contains("missing"));
        fails(BadLinkException.class, new RawTar().dir("d").link("l", "d", TarConstants.LF_LINK).bytes(), "l");
        fails(BadLinkException.class, new RawTar().link("s", "t", TarConstants.LF_SYMLINK).link("l", "s", TarConstants.LF_LINK).bytes(), "l");
    }

    @Test
    void symlinkedDirectoriesAreNeverFollowed() throws IOException {
        // writing through a symlink to a directory outside the layer
        fails(BadLinkException.class, new RawTar().link("etc", "/etc", TarConstants.LF_SYMLINK).file("etc/passwd", "evil").bytes(),
                "etc/passwd");
        // hard-linking through one
        fails(BadLinkException.class, new RawTar().link("etc", "/etc", TarConstants.LF_SYMLINK)
                .link("pw", "etc/passwd", TarConstants.LF_LINK).bytes(), "pw");
    }

    @Test
    void duplicates() throws IOException {
        fails(DuplicateTarEntryException.class, new RawTar().file("a", "1").file("a", "2").bytes(), "a");
        fails(DuplicateTarEntryException.class, new RawTar().dir("d").dir("d").bytes(), "d/");
        fails(DuplicateTarEntryException.class, new RawTar().dir("./").dir("./").bytes(), "./");
        // a file where an earlier entry implied a directory
        fails(DuplicateTarEntryException.class, new RawTar().file("d/f", "1").file("d", "2").bytes(), "d");
    }

    @Test
    void parentIsNotADirectory() throws IOException {
        fails(BadLinkException.class, new RawTar().file("f", "1").file("f/g", "2").bytes(), "f/g");
        fails(BadLinkException.class, new RawTar().file("f", "1").dir("./").file("x", "1").link("", "f", TarConstants.LF_LINK).bytes(), null);
    }

    @Test
    void truncatedAndCorruptTars() throws IOException {
        byte[] good = TestTrees.allEntryTypes(3).toByteArray();
        fails(CorruptTarException.class, Arrays.copyOf(good, good.length / 2), null);
        byte[] two = new RawTar().file("a", "hello").file("b", "world").bytes();
        CorruptTarException cut = fails(CorruptTarException.class, Arrays.copyOf(two, 1024 + 300), null);
        assertTrue(cut.getMessage().contains("300 bytes into a 512-byte header"), cut.getMessage());
        byte[] bad = new RawTar().file("a", "hello").file("b", "world").bytes();
        bad[512 + 512 + 148] ^= 0x11; // checksum of the second header
        fails(CorruptTarException.class, bad, null);
        byte[] gz = {0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        fails(CorruptTarException.class, gz, null);
    }

    @Test
    void xattrsEroFsCannotStore() throws IOException {
        TarArchiveEntry e = new TarArchiveEntry("f");
        e.addPaxHeader("SCHILY.xattr.foo.bar", "v");
        fails(UnsupportedTarEntryException.class, new RawTar().entry(e).bytes(), "f");
    }

    @Test
    void symlinkTargetsAreDataAndMayPointAnywhere() throws IOException {
        byte[] tar = new RawTar().link("abs", "/etc/passwd", TarConstants.LF_SYMLINK)
                .link("up", "../../../../etc/shadow", TarConstants.LF_SYMLINK).bytes();
        Path out = Files.createDirectories(dir.resolve("ok"));
        LayerBuildResult r = new LayerBuilder().build(new ByteArrayInputStream(tar), out.resolve("boot"), out.resolve("blob"));
        assertEquals(3, r.inodeCount());
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(2, s.count(), "only the two outputs are written");
        }
    }
}
