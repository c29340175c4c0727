package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.Xattr;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Binary extended attributes survive a real GNU tar ({@code tar --xattrs --xattrs-include=* --format=pax}, which
 * writes {@code SCHILY.xattr.*} PAX records with raw bytes): a {@code user.*} value set with {@code setfattr -v 0x…}
 * holding bytes that are not UTF-8 (NUL, 0xFF, 0x80, newline, {@code =}) and a {@code security.capability} set by
 * {@code setcap cap_net_raw+ep}. The built image must hold exactly the bytes {@code getfattr -e hex} reads from the
 * source files: through our reader (zstd layer), and through the kernel's EROFS driver (aligned layer).
 * Needs root and the Debian packages {@code attr} and {@code libcap2-bin}; fails (never skips) without them.
 */
class GnuTarXattrTest {
    private static final String BINARY = "0x00ff80fe0a3d00c328ff";

    @TempDir
    Path dir;
    Path tar;
    /** Source path relative to the tar root → getfattr of the source file. */
    final Map<String, Map<String, String>> expected = new TreeMap<>();

    @BeforeEach
    void makeTar() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Path bin = Files.write(src.resolve("bin.dat"), "data".getBytes(StandardCharsets.UTF_8));
        Processes.ok(List.of("setfattr", "-n", "user.bin", "-v", BINARY, bin.toString()));
        Processes.ok(List.of("setfattr", "-n", "user.text", "-v", "plain words", bin.toString()));
        Path ping = Files.write(src.resolve("ping"), new byte[5000]);
        Processes.ok(List.of("setcap", "cap_net_raw+ep", ping.toString()));
        Path sub = Files.createDirectory(src.resolve("sub"));
        Processes.ok(List.of("setfattr", "-n", "user.dir", "-v", "0xdeadbeef00", sub.toString()));
        Path plain = Files.write(sub.resolve("plain"), new byte[] {1});
        for (Path p : List.of(bin, ping, sub, plain)) {
            expected.put(src.relativize(p).toString(), ErofsMount.getfattr(p));
        }
        assertEquals(BINARY, expected.get("bin.dat").get("user.bin"));
        assertTrue(expected.get("ping").containsKey("security.capability"), expected.toString());
        tar = dir.resolve("layer.tar");
        Processes.ok(List.of("tar", "--xattrs", "--xattrs-include=*", "--format=pax", "-C", src.toString(), "-cf",
                tar.toString(), "."));
    }

    @Test
    void readerReturnsTheSourceBytes() throws Exception {
        LayerBuildResult r = new LayerBuilder().build(tar, dir.resolve("boot"), dir.resolve("blob"));
        try (RafsImage img = RafsImages.open(r.bootstrap())) {
            for (Map.Entry<String, Map<String, String>> e : expected.entrySet()) {
                long h = img.resolve("/" + e.getKey()).orElseThrow();
                Map<String, String> got = new TreeMap<>();
                for (Xattr x : img.xattrs(h)) {
                    got.put(x.nameString(), "0x" + HexFormat.of().formatHex(x.value()));
                }
                assertEquals(e.getValue(), got, e.getKey());
            }
        }
    }

    @Test
    void kernelMountShowsTheSourceBytes() throws Exception {
        LayerBuildResult r = new LayerBuilder(LayerBuildOptions.kernelMountable())
                .build(tar, dir.resolve("boot"), dir.resolve("blob"));
        try (ErofsMount m = ErofsMount.mount(r.bootstrap(), List.of(r.blob()), dir.resolve("mnt"))) {
            for (Map.Entry<String, Map<String, String>> e : expected.entrySet()) {
                assertEquals(e.getValue(), ErofsMount.getfattr(m.root().resolve(e.getKey())), e.getKey());
            }
            assertEquals("data", Files.readString(m.root().resolve("bin.dat")));
        }
    }
}
