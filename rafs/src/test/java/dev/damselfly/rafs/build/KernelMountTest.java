package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.FileType;
import dev.damselfly.testkit.image.LayerTarBuilder;
import dev.damselfly.testkit.image.TestTrees;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An aligned layer is a plain EROFS image to the Linux kernel (spec §8): the bootstrap mounts with the blob as
 * its extra device ({@code losetup -f --show BLOB}, {@code mount -t erofs -o ro,device=LOOP BOOTSTRAP DIR}; the
 * kernel attaches a loop device for the bootstrap file itself). The mounted tree must equal the tar: names,
 * types, bytes, permission bits, owners, mtimes, symlink targets, link counts and shared inodes of hard links,
 * device numbers and every xattr (read with {@code /usr/bin/python3}, as Java only sees {@code user.*}).
 * Needs root, the erofs module and loop devices; fails (never skips) without them.
 */
class KernelMountTest {
    @TempDir
    Path dir;

    @Test
    void alignedLayerMountsWithTheKernelErofsDriver() throws Exception {
        mountAndCompare(TestTrees.allEntryTypes(5), LayerBuildOptions.kernelMountable());
    }

    @Test
    void layoutCornerCasesMountToo() throws Exception {
        mountAndCompare(LayoutEdgeTrees.of(4, 4096), LayerBuildOptions.kernelMountable().withChunkSize(4096));
    }

    private void mountAndCompare(LayerTarBuilder b, LayerBuildOptions opts) throws Exception {
        LayerBuildResult r = new LayerBuilder(opts)
                .build(new ByteArrayInputStream(b.toByteArray()), dir.resolve("layer.boot"), dir.resolve("layer.blob"));
        ExpectedTree expected = ExpectedTree.of(b.entries());
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        String loop = null;
        boolean mounted = false;
        try {
            loop = loopDevice(Processes.ok(List.of("losetup", "-f", "--show", r.blob().toString())));
            Processes.ok(List.of("mount", "-t", "erofs", "-o", "ro,device=" + loop, r.bootstrap().toString(), mnt.toString()));
            mounted = true;
            compare(expected, mnt);
        } finally {
            if (mounted) {
                Processes.Result u = Processes.run(List.of("umount", mnt.toString()));
                assertEquals(0, u.exit(), "umount: " + u.output());
            }
            if (loop != null) {
                Processes.Result d = Processes.run(List.of("losetup", "-d", loop));
                assertEquals(0, d.exit(), "losetup -d: " + d.output());
            }
            // anything still backed by our blob (e.g. losetup's output could not be parsed) is ours: detach it
            String left = Processes.run(List.of("losetup", "-j", r.blob().toString())).output();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^(/dev/loop\\d+):").matcher(left);
            while (m.find()) {
                Processes.run(List.of("losetup", "-d", m.group(1)));
            }
        }
    }

    private static void compare(ExpectedTree expected, Path mnt) throws Exception {
        TreeSet<String> seen = new TreeSet<>();
        try (Stream<Path> s = Files.walk(mnt)) {
            s.forEach(p -> seen.add("/" + mnt.relativize(p).toString().replace('\\', '/')));
        }
        seen.remove("/");
        seen.add("/");
        assertEquals(new TreeSet<>(expected.nodes.keySet()), seen, "mounted paths");
        Map<String, Map<String, String>> xattrs = xattrs(mnt);
        Map<String, Object> inoOf = new TreeMap<>();
        for (Map.Entry<String, ExpectedTree.Node> e : expected.nodes.entrySet()) {
            String path = e.getKey();
            Path p = path.equals("/") ? mnt : mnt.resolve(path.substring(1));
            ExpectedTree.Node n = e.getValue().linkOf != null ? expected.nodes.get(e.getValue().linkOf) : e.getValue();
            Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            assertEquals(typeBits(n.type), mode & 0170000, path + " type");
            assertEquals(n.permissions, mode & 07777, path + " permissions");
            assertEquals((int) n.uid, (Integer) a.get("uid"), path + " uid");
            assertEquals((int) n.gid, (Integer) a.get("gid"), path + " gid");
            assertEquals(n.mtime, ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond(), path + " mtime");
            String canonical = e.getValue().linkOf != null ? e.getValue().linkOf : path;
            Object prev = inoOf.putIfAbsent(canonical, a.get("ino"));
            if (prev != null) {
                assertEquals(prev, a.get("ino"), path + " is a hard link of " + canonical);
            }
            int nlink = (Integer) a.get("nlink");
            if (n.type == FileType.DIRECTORY) {
                long subdirs = expected.nodes.entrySet().stream().filter(x -> x.getValue().type == FileType.DIRECTORY
                        && parent(x.getKey()).equals(path) && !x.getKey().equals("/")).count();
                assertEquals(2 + subdirs, nlink, path + " nlink");
            } else {
                assertEquals(n.nlink, nlink, path + " nlink");
            }
            switch (n.type) {
                case REGULAR -> assertArrayEquals(n.content, Files.readAllBytes(p), path + " content");
                case SYMLINK -> assertEquals(n.target, Files.readSymbolicLink(p).toString(), path + " target");
                case CHAR_DEVICE, BLOCK_DEVICE -> {
                    long rdev = (Long) a.get("rdev");
                    long major = ((rdev >>> 8) & 0xFFF) | ((rdev >>> 32) & ~0xFFFL);
                    long minor = (rdev & 0xFF) | ((rdev >>> 12) & ~0xFFL);
                    assertEquals(n.major, major, path + " major");
                    assertEquals(n.minor, minor, path + " minor");
                }
                default -> { }
            }
            Map<String, String> want = new TreeMap<>();
            n.xattrs.forEach((k, v) -> want.put(k, HexFormat.of().formatHex(v)));
            assertEquals(want, xattrs.getOrDefault(path, Map.of()), path + " xattrs");
        }
        assertTrue(expected.nodes.size() > 30);
    }

    /** The device name losetup printed (its output may start with a warning about the file size). */
    private static String loopDevice(String out) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^(/dev/loop\\d+)\\s*$").matcher(out);
        assertTrue(m.find(), "losetup printed no device: " + out);
        return m.group(1);
    }

    private static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }

    private static int typeBits(FileType t) {
        return switch (t) {
            case REGULAR -> 0100000;
            case DIRECTORY -> 0040000;
            case SYMLINK -> 0120000;
            case CHAR_DEVICE -> 0020000;
            case BLOCK_DEVICE -> 0060000;
            case FIFO -> 0010000;
            default -> throw new IllegalStateException(t.toString());
        };
    }

    /** Every xattr under {@code root}: path → name → hex value (python's os.listxattr/getxattr, no symlink following). */
    private static Map<String, Map<String, String>> xattrs(Path root) throws IOException, InterruptedException {
        String script = "import os,sys\n"
                + "r=sys.argv[1]\n"
                + "for d,ds,fs in os.walk(r):\n"
                + "  for n in [d]+[os.path.join(d,x) for x in ds+fs]:\n"
                + "    for k in os.listxattr(n,follow_symlinks=False):\n"
                + "      print('/'+os.path.relpath(n,r) if n!=r else '/', k, os.getxattr(n,k,follow_symlinks=False).hex(), sep='\\t')\n";
        String out = Processes.ok(List.of("/usr/bin/python3", "-c", script, root.toString()));
        Map<String, Map<String, String>> m = new TreeMap<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            m.computeIfAbsent(f[0], k -> new TreeMap<>()).put(f[1], f[2]);
        }
        return m;
    }
}
