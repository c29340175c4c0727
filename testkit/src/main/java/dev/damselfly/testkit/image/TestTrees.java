package dev.damselfly.testkit.image;

import java.nio.charset.StandardCharsets;

/**
 * Ready-made layer contents.
 *
 * <ul>
 *   <li>{@link #allEntryTypes(long)}: one layer with every tar entry type and corner case a layer
 *       reader must handle (see the constants for the notable paths);</li>
 *   <li>{@link #simpleLayer(long, int)}: a small layer per index, used to stack images; layers
 *       above the first delete a file and make a directory opaque from the layer below.</li>
 * </ul>
 */
public final class TestTrees {

    /** 1 MiB, the chunk size the multi-chunk files are sized against. */
    public static final int MIB = 1024 * 1024;
    /** Size of {@link #COMPRESSIBLE_FILE}: 3 MiB + 12,345 bytes of repetitive text. */
    public static final int COMPRESSIBLE_SIZE = 3 * MIB + 12_345;
    /** Size of {@link #INCOMPRESSIBLE_FILE}: 2 MiB + 777 pseudo-random bytes. */
    public static final int INCOMPRESSIBLE_SIZE = 2 * MIB + 777;

    /** Empty regular file. */
    public static final String EMPTY_FILE = "etc/empty";
    /** Small text file. */
    public static final String SMALL_FILE = "etc/hostname";
    /** Multi-MiB text file spanning four 1 MiB chunks. */
    public static final String COMPRESSIBLE_FILE = "usr/share/doc/compressible.txt";
    /** Multi-MiB random file spanning three 1 MiB chunks. */
    public static final String INCOMPRESSIBLE_FILE = "usr/lib/incompressible.bin";
    /** setuid executable (04755), target of {@link #HARD_LINK}, has {@code security.capability}. */
    public static final String SETUID_FILE = "usr/bin/busybox";
    /** Hard link to {@link #SETUID_FILE}. */
    public static final String HARD_LINK = "usr/bin/hardlinked-busybox";
    /** Relative symlink {@code -> busybox}. */
    public static final String RELATIVE_SYMLINK = "usr/bin/sh";
    /** Absolute symlink {@code -> /usr/share/zoneinfo/UTC}. */
    public static final String ABSOLUTE_SYMLINK = "etc/localtime";
    /** Dangling symlink {@code -> ../does/not/exist}. */
    public static final String DANGLING_SYMLINK = "usr/dangling";
    /** Symlink whose target is longer than 100 bytes (PAX linkpath). */
    public static final String LONG_TARGET_SYMLINK = "usr/long-target-link";
    /** Character device 1,3. */
    public static final String CHAR_DEVICE = "dev/null";
    /** Block device 7,0. */
    public static final String BLOCK_DEVICE = "dev/loop0";
    /** Named pipe. */
    public static final String FIFO = "run/initctl";
    /** Sticky directory (01777). */
    public static final String STICKY_DIR = "tmp";
    /** setgid directory (02775). */
    public static final String SETGID_DIR = "srv/shared";
    /** Deeply nested directory. */
    public static final String NESTED_DIR = "usr/share/doc/a/b/c/d/e";
    /** File with {@code user.test=hello} and {@code trusted.overlay.origin} (with NUL and 0x01 bytes). */
    public static final String XATTR_FILE = "etc/xattr-file";
    /** Whiteout deleting {@code var/lib/removed} from a lower layer. */
    public static final String WHITEOUT = "var/lib/.wh.removed";
    /** Opaque marker of {@code var/cache}. */
    public static final String OPAQUE = "var/cache/" + TarEntrySpec.OPAQUE_MARKER;
    /** Name with non-ASCII UTF-8 characters (PAX path). */
    public static final String UTF8_FILE = "usr/share/ünïcødé/文件-😀.txt";
    /** File owned by uid/gid 3,000,000 (beyond octal fields: PAX uid/gid). */
    public static final String BIG_UID_FILE = "home/big-uid";
    /** {@code security.capability} value: v2, cap_net_bind_service permitted+effective. */
    public static final byte[] NET_BIND_CAPABILITY = {
        0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

    private TestTrees() {
    }

    /**
     * @return a path longer than 100 bytes (PAX path): {@code usr/share/long/} followed by
     *         120 characters and {@code /file.txt}
     */
    public static String longName() {
        return "usr/share/long/" + "n".repeat(120) + "/file.txt";
    }

    /** @return a symlink target longer than 100 bytes */
    public static String longTarget() {
        return "../share/" + "t".repeat(130) + "/target";
    }

    /**
     * Every entry type: regular files (empty, small, multi-MiB compressible and incompressible),
     * nested directories with setuid/setgid/sticky modes, relative/absolute/dangling/long symlinks,
     * a hard link (also one to a long name), char and block devices, a FIFO, long names, xattrs,
     * a whiteout and an opaque marker, UTF-8 names, non-root and big uid/gid. About 5.2 MiB.
     *
     * @param seed varies the random and text content (not the structure)
     * @return a builder holding the tree
     */
    public static LayerTarBuilder allEntryTypes(long seed) {
        LayerTarBuilder b = LayerTarBuilder.create();
        for (String dir : new String[] {"dev", "etc", "home", "run", "srv", "usr", "usr/bin", "usr/lib", "usr/share",
            "usr/share/doc", "usr/share/doc/a", "usr/share/doc/a/b", "usr/share/doc/a/b/c", "usr/share/doc/a/b/c/d",
            "usr/share/long", "usr/share/long/" + "n".repeat(120), "usr/share/ünïcødé", "var", "var/cache", "var/lib"}) {
            b.directory(dir, 0755);
        }
        b.add(TarEntrySpec.directory(NESTED_DIR, 0700).withOwner(1000, 1000).withOwnerNames("user", "users"));
        b.add(TarEntrySpec.directory(STICKY_DIR, 01777));
        b.add(TarEntrySpec.directory(SETGID_DIR, 02775).withOwner(0, 50));
        b.file(EMPTY_FILE, 0644, new byte[0]);
        b.file(SMALL_FILE, 0644, ("damselfly-" + seed + "\n").getBytes(StandardCharsets.UTF_8));
        b.add(TarEntrySpec.file(COMPRESSIBLE_FILE, 0644, text(seed, COMPRESSIBLE_SIZE)));
        b.add(TarEntrySpec.file(INCOMPRESSIBLE_FILE, 0644, INCOMPRESSIBLE_SIZE, ContentSource.random(seed, INCOMPRESSIBLE_SIZE)));
        b.add(TarEntrySpec.file(SETUID_FILE, 04755, DeterministicBytes.bytes(seed ^ 0x5E7D1DL, 4096))
                .withXattr("security.capability", NET_BIND_CAPABILITY));
        b.hardLink(HARD_LINK, SETUID_FILE);
        b.symlink(RELATIVE_SYMLINK, "busybox");
        b.symlink(ABSOLUTE_SYMLINK, "/usr/share/zoneinfo/UTC");
        b.symlink(DANGLING_SYMLINK, "../does/not/exist");
        b.symlink(LONG_TARGET_SYMLINK, longTarget());
        b.add(TarEntrySpec.charDevice(CHAR_DEVICE, 0666, 1, 3));
        b.add(TarEntrySpec.blockDevice(BLOCK_DEVICE, 0660, 7, 0).withOwner(0, 6));
        b.add(TarEntrySpec.fifo(FIFO, 0600));
        b.add(TarEntrySpec.file(longName(), 0644, "long name\n".getBytes(StandardCharsets.UTF_8)));
        b.hardLink("usr/share/long-name-hardlink", longName());
        b.add(TarEntrySpec.file(XATTR_FILE, 0640, "xattrs\n".getBytes(StandardCharsets.UTF_8))
                .withXattr("user.test", "hello".getBytes(StandardCharsets.UTF_8))
                .withXattr("trusted.overlay.origin", "\u0000binary-ish\u0001".getBytes(StandardCharsets.UTF_8)));
        b.add(TarEntrySpec.whiteout("var/lib/removed"));
        b.add(TarEntrySpec.opaque("var/cache"));
        b.file(UTF8_FILE, 0644, "ünïcødé\n".getBytes(StandardCharsets.UTF_8));
        b.add(TarEntrySpec.file(BIG_UID_FILE, 0600, "big uid\n".getBytes(StandardCharsets.UTF_8))
                .withOwner(3_000_000, 3_000_000));
        return b;
    }

    /**
     * A small layer: directory {@code layer-N/} with a few files of deterministic sizes
     * (0..48 KiB) and a nested directory {@code layer-N/sub/}; for {@code index > 0} it also
     * deletes {@code layer-(N-1)/file-0.bin} (whiteout) and makes {@code layer-(N-1)/sub} opaque.
     *
     * @param seed  image seed
     * @param index layer index, from 0
     * @return a builder holding the layer
     */
    public static LayerTarBuilder simpleLayer(long seed, int index) {
        LayerTarBuilder b = LayerTarBuilder.create();
        String dir = "layer-" + index;
        b.directory(dir, 0755);
        b.directory(dir + "/sub", 0755);
        long layerSeed = seed * 31 + index;
        for (int i = 0; i < 4; i++) {
            int size = (int) Long.remainderUnsigned(word(layerSeed, i), 48 * 1024);
            b.file(dir + "/file-" + i + ".bin", 0644, DeterministicBytes.bytes(layerSeed * 17 + i, size));
        }
        b.file(dir + "/sub/readme.txt", 0644, text(layerSeed, 2048));
        b.symlink(dir + "/latest", "file-3.bin");
        if (index > 0) {
            String below = "layer-" + (index - 1);
            b.directory(below, 0755);
            b.directory(below + "/sub", 0755);
            b.add(TarEntrySpec.whiteout(below + "/file-0.bin"));
            b.add(TarEntrySpec.opaque(below + "/sub"));
        }
        return b;
    }

    /**
     * Repetitive, highly compressible ASCII text: numbered lines of a fixed vocabulary.
     *
     * @param seed   varies the words
     * @param length exact length in bytes
     * @return the text
     */
    public static byte[] text(long seed, int length) {
        String[] words = {"damselfly", "layer", "chunk", "registry", "blob", "peer", "piece", "mount", "digest", "lazy"};
        byte[] out = new byte[length];
        int pos = 0;
        long line = 0;
        while (pos < length) {
            String s = "line " + line + ": " + words[(int) Long.remainderUnsigned(seed + line, words.length)] + " "
                    + words[(int) Long.remainderUnsigned(seed * 7 + line * 3, words.length)] + " the quick brown fox\n";
            byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
            int n = Math.min(bytes.length, length - pos);
            System.arraycopy(bytes, 0, out, pos, n);
            pos += n;
            line++;
        }
        return out;
    }

    private static long word(long seed, int index) {
        byte[] b = new byte[8];
        DeterministicBytes.fill(seed, (long) index * 8, b, 0, 8);
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
