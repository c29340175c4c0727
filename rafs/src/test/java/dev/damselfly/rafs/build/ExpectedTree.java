package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.Xattr;
import dev.damselfly.rafs.blob.BlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.testkit.image.TarEntrySpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tree a layer tar describes, derived independently from its {@link TarEntrySpec}s (implicit parents are
 * 0755 root:root mtime 0, hard links share their target, whiteouts are plain empty files), and a comparison
 * with what a reader sees.
 */
final class ExpectedTree {
    /** One expected node. */
    static final class Node {
        FileType type;
        int permissions;
        long uid;
        long gid;
        long mtime;
        byte[] content;
        String target;
        int major;
        int minor;
        Map<String, byte[]> xattrs = Map.of();
        String linkOf;
        int nlink = 1;
    }

    final Map<String, Node> nodes = new TreeMap<>();

    static ExpectedTree of(List<TarEntrySpec> specs) throws IOException {
        ExpectedTree t = new ExpectedTree();
        t.nodes.put("/", dir(0755));
        for (TarEntrySpec s : specs) {
            String p = "/" + s.path();
            t.parents(p);
            Node n;
            if (s.type() == TarEntrySpec.Type.HARDLINK) {
                String target = "/" + s.linkTarget();
                Node tn = t.nodes.get(target);
                while (tn.linkOf != null) {
                    target = tn.linkOf;
                    tn = t.nodes.get(target);
                }
                tn.nlink++;
                n = new Node();
                n.linkOf = target;
                t.nodes.put(p, n);
                continue;
            }
            n = t.nodes.containsKey(p) && s.type() == TarEntrySpec.Type.DIRECTORY ? t.nodes.get(p) : new Node();
            n.type = switch (s.type()) {
                case FILE -> FileType.REGULAR;
                case DIRECTORY -> FileType.DIRECTORY;
                case SYMLINK -> FileType.SYMLINK;
                case CHAR_DEVICE -> FileType.CHAR_DEVICE;
                case BLOCK_DEVICE -> FileType.BLOCK_DEVICE;
                case FIFO -> FileType.FIFO;
                default -> throw new IllegalStateException();
            };
            n.permissions = s.mode();
            n.uid = s.uid();
            n.gid = s.gid();
            n.mtime = s.mtime().getEpochSecond();
            n.target = s.linkTarget();
            n.major = s.devMajor();
            n.minor = s.devMinor();
            n.xattrs = s.xattrs();
            if (s.type() == TarEntrySpec.Type.FILE) {
                try (InputStream in = s.content().open()) {
                    n.content = in.readAllBytes();
                }
            }
            t.nodes.put(p, n);
        }
        return t;
    }

    private static Node dir(int perm) {
        Node n = new Node();
        n.type = FileType.DIRECTORY;
        n.permissions = perm;
        return n;
    }

    private void parents(String p) {
        int i = p.indexOf('/', 1);
        while (i > 0) {
            nodes.putIfAbsent(p.substring(0, i), dir(0755));
            i = p.indexOf('/', i + 1);
        }
    }

    private Node resolved(String path) {
        Node n = nodes.get(path);
        return n.linkOf != null ? nodes.get(n.linkOf) : n;
    }

    /** Paths (absolute) of every name the reader sees, with their handles. */
    static Map<String, Long> walk(RafsImage img) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("/", img.rootHandle());
        walk(img, "", img.rootHandle(), out);
        return out;
    }

    private static void walk(RafsImage img, String prefix, long dir, Map<String, Long> out) throws IOException {
        for (DirEntry e : img.readDir(dir)) {
            String p = prefix + "/" + e.nameString();
            out.put(p, e.handle());
            if (e.type() == FileType.DIRECTORY) {
                walk(img, p, e.handle(), out);
            }
        }
    }

    /** Asserts that {@code img} (with its blob) holds exactly this tree, verifying every chunk digest. */
    void assertMatches(RafsImage img, BlobByteSource blob) throws IOException {
        Map<String, Long> seen = walk(img);
        assertEquals(new TreeSet<>(nodes.keySet()), new TreeSet<>(seen.keySet()), "tree paths");
        FileContentReader reader = new FileContentReader(img, i -> i == 0 ? blob : null, true);
        Map<String, Long> handleOfTarget = new HashMap<>();
        for (Map.Entry<String, Node> en : nodes.entrySet()) {
            String path = en.getKey();
            Node n = resolved(path);
            long h = seen.get(path);
            String canonical = en.getValue().linkOf != null ? en.getValue().linkOf : path;
            Long prev = handleOfTarget.putIfAbsent(canonical, h);
            if (prev != null) {
                assertEquals(prev, h, path + " shares the inode of " + canonical);
            }
            InodeAttributes a = img.stat(h);
            assertEquals(n.type, a.type(), path + " type");
            assertEquals(n.permissions, a.permissions(), path + " permissions");
            assertEquals(n.uid, a.uid(), path + " uid");
            assertEquals(n.gid, a.gid(), path + " gid");
            assertEquals(n.mtime, a.mtimeSeconds(), path + " mtime");
            if (n.type == FileType.DIRECTORY) {
                long subdirs = nodes.keySet().stream().filter(k -> isChild(path, k) && nodes.get(k).type == FileType.DIRECTORY
                        && nodes.get(k).linkOf == null).count();
                assertEquals(2 + subdirs, a.nlink(), path + " nlink");
            } else {
                assertEquals(n.nlink, a.nlink(), path + " nlink");
            }
            if (n.type == FileType.REGULAR) {
                assertEquals(n.content.length, a.size(), path + " size");
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                reader.copyTo(h, o);
                assertArrayEquals(n.content, o.toByteArray(), path + " content");
            }
            if (n.type == FileType.SYMLINK) {
                assertEquals(n.target, new String(img.readLink(h), StandardCharsets.UTF_8), path + " target");
            }
            if (n.type == FileType.CHAR_DEVICE || n.type == FileType.BLOCK_DEVICE) {
                assertEquals(n.major, a.rdevMajor(), path + " major");
                assertEquals(n.minor, a.rdevMinor(), path + " minor");
            }
            Map<String, String> want = new TreeMap<>();
            n.xattrs.forEach((k, v) -> want.put(k, java.util.HexFormat.of().formatHex(v)));
            Map<String, String> got = new TreeMap<>();
            for (Xattr x : img.xattrs(h)) {
                got.put(x.nameString(), java.util.HexFormat.of().formatHex(x.value()));
            }
            assertEquals(want, got, path + " xattrs");
        }
        assertTrue(seen.size() > 0);
    }

    private static boolean isChild(String dir, String p) {
        String prefix = dir.equals("/") ? "/" : dir + "/";
        return p.startsWith(prefix) && p.length() > prefix.length() && p.indexOf('/', prefix.length()) < 0;
    }

    /** All regular-file paths. */
    List<String> files() {
        List<String> out = new ArrayList<>();
        nodes.forEach((k, v) -> {
            if (v.linkOf == null && v.type == FileType.REGULAR) {
                out.add(k);
            }
        });
        return out;
    }
}
