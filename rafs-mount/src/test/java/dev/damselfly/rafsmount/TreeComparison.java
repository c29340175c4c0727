package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsVersion;
import dev.damselfly.rafs.Xattr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Walks an image with the rafs reader and the same tree through the mount with java.nio, and asserts that
 * stat, readdir, readlink and (user.*) xattrs agree, with nydusd's rules for what FUSE shows (§5.7).
 */
final class TreeComparison {
    private final RafsImage image;
    private final Path mp;
    private final long mountedFrom;
    private final long mountedTo;
    private final long uid;
    private final long gid;
    private final Map<String, Long> blocks;
    int entries;
    int xattrsChecked;

    /**
     * @param mountedFrom,mountedTo epoch seconds around the mount call (mtime 0 shows as the mount time)
     */
    TreeComparison(RafsImage image, Path mp, long mountedFrom, long mountedTo) throws IOException {
        this.image = image;
        this.mp = mp;
        this.mountedFrom = mountedFrom;
        this.mountedTo = mountedTo;
        this.uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        this.gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
        this.blocks = blocksByFind(mp);
    }

    /** st_blocks of every path, from {@code find -printf} (java.nio cannot see it). */
    private static Map<String, Long> blocksByFind(Path mp) throws IOException {
        Process p = new ProcessBuilder("find", mp.toString(), "-printf", "%b %p\\0").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, Long> m = new HashMap<>();
        for (String rec : out.split("\0")) {
            int sp = rec.indexOf(' ');
            if (sp > 0) {
                m.put(rec.substring(sp + 1), Long.parseLong(rec.substring(0, sp)));
            }
        }
        return m;
    }

    void compare() throws IOException {
        compare(image.rootHandle(), mp);
    }

    private void compare(long handle, Path p) throws IOException {
        entries++;
        InodeAttributes a = image.stat(handle);
        Map<String, Object> st = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        String where = p.toString();
        long ino = image.version() == RafsVersion.V5 ? a.ino() : a.handle();
        assertEquals(ino, ((Number) st.get("ino")).longValue(), "ino " + where);
        int mode = handle == image.rootHandle() ? (a.mode() & FileType.S_IFMT) | 0755 : a.mode();
        assertEquals(Integer.toOctalString(mode), Integer.toOctalString((Integer) st.get("mode")), "mode " + where);
        assertEquals(a.nlink(), ((Number) st.get("nlink")).longValue(), "nlink " + where);
        assertEquals(image.explicitUidGid() ? a.uid() : uid, ((Number) st.get("uid")).longValue(), "uid " + where);
        assertEquals(image.explicitUidGid() ? a.gid() : gid, ((Number) st.get("gid")).longValue(), "gid " + where);
        assertEquals(a.size(), ((Number) st.get("size")).longValue(), "size " + where);
        long rdev = ((Number) st.get("rdev")).longValue();
        assertEquals(a.rdevMajor(), (int) (((rdev >>> 8) & 0xFFF) | ((rdev >>> 32) & ~0xFFFL)), "rdev major " + where);
        assertEquals(a.rdevMinor(), (int) ((rdev & 0xFF) | ((rdev >>> 12) & ~0xFFL)), "rdev minor " + where);
        FileTime mtime = (FileTime) st.get("lastModifiedTime");
        if (a.mtimeSeconds() == 0 && a.mtimeNanos() == 0) {
            long s = mtime.toInstant().getEpochSecond();
            assertTrue(s >= mountedFrom && s <= mountedTo, "mtime 0 shows the mount time " + where + ": " + mtime);
        } else {
            assertEquals(a.mtimeSeconds(), mtime.toInstant().getEpochSecond(), "mtime " + where);
            assertEquals(a.mtimeNanos(), mtime.toInstant().getNano(), "mtime nanos " + where);
        }
        Long b = blocks.get(p.toString());
        assertEquals((a.size() + 511) / 512, b == null ? -1 : b, "st_blocks " + where);
        compareXattrs(handle, p, a);
        switch (a.type()) {
            case DIRECTORY -> {
                List<DirEntry> children = image.readDir(handle);
                TreeSet<String> want = new TreeSet<>();
                for (DirEntry e : children) {
                    want.add(e.nameString());
                }
                TreeSet<String> got = new TreeSet<>();
                try (Stream<Path> s = Files.list(p)) {
                    s.forEach(c -> got.add(c.getFileName().toString()));
                }
                assertEquals(want, got, "readdir " + where);
                for (DirEntry e : children) {
                    compare(e.handle(), p.resolve(e.nameString()));
                }
            }
            case SYMLINK -> assertArrayEquals(image.readLink(handle),
                    Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8), "readlink " + where);
            default -> {
            }
        }
    }

    private void compareXattrs(long handle, Path p, InodeAttributes a) throws IOException {
        if (a.type() != FileType.REGULAR && a.type() != FileType.DIRECTORY) {
            return; // java.nio opens the file for xattrs: follows symlinks, blocks on FIFOs
        }
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        TreeSet<String> want = new TreeSet<>();
        for (Xattr x : image.xattrs(handle)) {
            String n = x.nameString();
            if (n.startsWith("user.")) {
                want.add(n.substring(5));
                ByteBuffer buf = ByteBuffer.allocate(v.size(n.substring(5)));
                v.read(n.substring(5), buf);
                assertArrayEquals(x.value(), buf.array(), "xattr " + n + " of " + p);
                xattrsChecked++;
            }
        }
        assertEquals(want, new TreeSet<>(new ArrayList<>(v.list())), "listxattr " + p);
    }
}
