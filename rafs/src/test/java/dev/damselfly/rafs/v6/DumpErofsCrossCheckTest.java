package dev.damselfly.rafs.v6;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.Fixtures;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.inspect.TreeWalker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Independent check with erofs-utils: {@code dump.erofs --nid=N [--ls]} must report the same size, nid,
 * links, layout, inode size, xattr size, owner, permissions, path and directory entries as our reader, on
 * the fixtures and on a synthetic image with devices, FIFOs, sockets and xattrs. Requires the Debian
 * package erofs-utils (fails, never skips, when dump.erofs is missing).
 */
class DumpErofsCrossCheckTest {
    private static final Pattern SIZE = Pattern.compile("Size: (\\d+)");
    private static final Pattern NID = Pattern.compile("NID: (\\d+)\\s+Links: (\\d+)\\s+Layout: (\\d+)");
    private static final Pattern ISIZE = Pattern.compile("Inode size: (\\d+).*Xattr size: (\\d+)");
    private static final Pattern OWNER = Pattern.compile("Uid: (\\d+)\\s+Gid: (\\d+)\\s+Access: (\\d+)/");
    private static final Pattern FILE = Pattern.compile("^File : (.*)$", Pattern.MULTILINE);
    private static final Pattern DIRENT = Pattern.compile("^\\s+(\\d+)\\s+(\\d)\\s{2}(.+)$", Pattern.MULTILINE);

    @Test
    void rafsV6Fixture() throws Exception {
        check(Fixtures.path(Fixtures.V6_BOOT), Path.of("/dev/null"), 1);
    }

    @Test
    void realWorldV6BootstrapSampled(@TempDir Path dir) throws Exception {
        Path boot = dir.resolve("image.boot");
        Files.write(boot, Fixtures.tarGzEntry(Fixtures.V6_LAYER, "image/image.boot"));
        check(boot, Path.of("/dev/null"), 25);
    }

    @Test
    void mkfsErofsImage() throws Exception {
        check(Fixtures.path(Fixtures.EROFS_META), Fixtures.path(Fixtures.EROFS_BLOB), 1);
    }

    @Test
    void syntheticImageWithSpecialFilesAndXattrs(@TempDir Path dir) throws Exception {
        SyntheticV6Builder b = new SyntheticV6Builder();
        SyntheticV6Builder.Node d = b.dir(b.root(), "d");
        for (int i = 0; i < 150; i++) {
            b.file(d, "a-fairly-long-file-name-number-" + i, i);
        }
        SyntheticV6Builder.Node big = b.file(b.root(), "big", 3_000_000).xattr("user.k", "v").xattr("trusted.t", "x");
        b.hardlink(d, "link", big);
        b.file(b.root(), "compact", 10).compact();
        b.symlink(b.root(), "long", "z".repeat(200));
        b.symlink(b.root(), "short", "big");
        b.special(b.root(), "chr", 0020620, (5 << 8) | 1);
        b.special(b.root(), "blk", 0060660, (7 << 8) | 2);
        b.special(b.root(), "fifo", 0010600, 0);
        b.special(b.root(), "sock", 0140777, 0);
        Path boot = dir.resolve("synthetic.boot");
        Files.write(boot, b.build());
        check(boot, Path.of("/dev/null"), 1);
    }

    /** One inode to compare: its nid, its path (null for hard links, whose printed path may differ). */
    private record Target(long nid, String path, boolean dir) {
    }

    private static void check(Path image, Path device, int fileSampling) throws Exception {
        try (RafsImage img = RafsImages.open(image)) {
            List<Target> targets = new ArrayList<>();
            int[] regular = {0};
            TreeWalker.walk(img, (path, depth, a) -> {
                boolean dir = a.type() == FileType.DIRECTORY;
                if (a.type() == FileType.REGULAR && regular[0]++ % fileSampling != 0) {
                    return;
                }
                targets.add(new Target(a.handle(), dir || a.nlink() == 1 ? path : null, dir));
            });
            for (Target t : targets) {
                compare(img, t.nid(), t.path(), dump(image, device, t.nid(), t.dir()));
            }
            assertTrue(targets.size() >= 3, "compared " + targets.size());
        }
    }

    private static void compare(RafsImage img, long nid, String path, String out) throws Exception {
        V6Inode in = ((V6Image) img).inode(nid);
        InodeAttributes a = img.stat(nid);
        String at = "nid " + nid + " (" + path + ")";
        assertEquals(a.size(), Long.parseLong(group(SIZE, out, 1)), at + " size");
        assertEquals(nid, Long.parseLong(group(NID, out, 1)), at);
        assertEquals(a.nlink(), Long.parseLong(group(NID, out, 2)), at + " links");
        assertEquals(in.layout(), Integer.parseInt(group(NID, out, 3)), at + " layout");
        assertEquals(in.inodeSize(), Integer.parseInt(group(ISIZE, out, 1)), at + " inode size");
        assertEquals(in.xattrSize(), Long.parseLong(group(ISIZE, out, 2)), at + " xattr size");
        assertEquals(a.uid(), Long.parseLong(group(OWNER, out, 1)), at + " uid");
        assertEquals(a.gid(), Long.parseLong(group(OWNER, out, 2)), at + " gid");
        assertEquals(String.format("%04o", a.permissions() & 0777), group(OWNER, out, 3), at + " access (dump.erofs drops setuid/setgid/sticky)");
        if (path != null) {
            assertEquals(path, group(FILE, out, 1), at + " path");
        }
        if (a.type() == FileType.DIRECTORY) {
            List<String> theirs = new ArrayList<>();
            Matcher m = DIRENT.matcher(out.substring(out.indexOf("FILENAME")));
            String dotdot = null;
            while (m.find()) {
                String name = m.group(3);
                if (name.equals("..")) {
                    dotdot = m.group(1);
                }
                if (!name.equals(".") && !name.equals("..")) {
                    theirs.add(m.group(1) + " " + m.group(2) + " " + name);
                }
            }
            List<String> ours = new ArrayList<>();
            for (DirEntry e : img.readDir(nid)) {
                ours.add(e.handle() + " " + direntCode(e.type()) + " " + e.nameString());
            }
            assertEquals(theirs, ours, at + " entries");
            assertEquals(dotdot, String.valueOf(img.lookup(nid, "..".getBytes(StandardCharsets.UTF_8)).getAsLong()), at + " ..");
        }
    }

    private static int direntCode(FileType t) {
        return switch (t) {
            case REGULAR -> 1;
            case DIRECTORY -> 2;
            case CHAR_DEVICE -> 3;
            case BLOCK_DEVICE -> 4;
            case FIFO -> 5;
            case SOCKET -> 6;
            case SYMLINK -> 7;
            default -> 0;
        };
    }

    private static String group(Pattern p, String out, int g) {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            fail("dump.erofs output lacks " + p + ":\n" + out);
        }
        return m.group(g);
    }

    private static String dump(Path image, Path device, long nid, boolean ls) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dump.erofs", "--device=" + device, "--nid=" + nid));
        if (ls) {
            cmd.add("--ls");
        }
        cmd.add(image.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("dump.erofs is not installed (Debian package erofs-utils): " + e.getMessage());
            return null;
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("dump.erofs hung");
        }
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + new String(out, StandardCharsets.UTF_8));
        return new String(out, StandardCharsets.UTF_8);
    }
}
