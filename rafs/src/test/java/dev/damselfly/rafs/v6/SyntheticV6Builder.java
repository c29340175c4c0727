package dev.damselfly.rafs.v6;

import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Test-only writer of small but complete RAFS v6 bootstraps (and their uncompressed blob), written from the
 * spec so the reader can be exercised on inode kinds the fixtures lack: devices, FIFOs, sockets, xattrs,
 * compact inodes, flat-plain symlinks and multi-block plain directories, shared-nid hard links, and images of
 * 100k+ inodes. Not a builder: no compression, no dedup, no prefetch table, every directory FLAT_PLAIN.
 */
public final class SyntheticV6Builder {
    public static final int BS = 4096;
    public static final long CHUNK = 1 << 20;
    public static final String BLOB_ID = "ab".repeat(32);
    private static final long META_BASE = 2L * BS;

    /** One tree entry. */
    public static final class Node {
        final String name;
        final int mode;
        final Node linkOf;
        final List<Node> children = new ArrayList<>();
        long size;
        int rdev;
        byte[] target;
        boolean compact;
        long uid = 1000;
        long gid = 100;
        long mtime = 1_600_000_000L;
        final List<String[]> xattrs = new ArrayList<>();
        Node parent;
        long nid;
        long nlink;
        long firstCi;
        long dataBlock;
        byte[] dirData;
        byte[] content;

        Node(String name, int mode, Node linkOf) {
            this.name = name;
            this.mode = mode;
            this.linkOf = linkOf;
        }

        public Node compact() {
            this.compact = true;
            return this;
        }

        public Node owner(long uid, long gid) {
            this.uid = uid;
            this.gid = gid;
            return this;
        }

        /** Adds an xattr; the name must start with a prefix EROFS knows (user., trusted., security.). */
        public Node xattr(String name, String value) {
            xattrs.add(new String[] {name, value});
            return this;
        }

        boolean isDir() {
            return (mode & 0170000) == 0040000;
        }

        boolean isReg() {
            return (mode & 0170000) == 0100000;
        }

        boolean isLink() {
            return (mode & 0170000) == 0120000;
        }
    }

    private final Node root = new Node("", 0040755, null);
    private final List<Node> inodes = new ArrayList<>();
    private long chunkCount;
    private long blobSize;

    public Node root() {
        return root;
    }

    public Node dir(Node parent, String name) {
        return add(parent, new Node(name, 0040755, null));
    }

    /** A regular file whose content is a deterministic pattern of {@code size} bytes. */
    public Node file(Node parent, String name, long size) {
        Node n = add(parent, new Node(name, 0100644, null));
        n.size = size;
        return n;
    }

    public Node symlink(Node parent, String name, String target) {
        Node n = add(parent, new Node(name, 0120777, null));
        n.target = target.getBytes(StandardCharsets.UTF_8);
        n.size = n.target.length;
        return n;
    }

    /** Device, FIFO or socket: {@code mode} includes the type bits. */
    public Node special(Node parent, String name, int mode, int rdev) {
        Node n = add(parent, new Node(name, mode, null));
        n.rdev = rdev;
        return n;
    }

    /** A second name for regular file {@code of} (same nid). */
    public Node hardlink(Node parent, String name, Node of) {
        return add(parent, new Node(name, of.mode, of));
    }

    private Node add(Node parent, Node n) {
        n.parent = parent;
        parent.children.add(n);
        return n;
    }

    /** Content the blob holds for {@code n} (valid after {@link #build()}). */
    public static byte[] contentOf(Node n) {
        return n.content;
    }

    public static long nidOf(Node n) {
        return (n.linkOf != null ? n.linkOf : n).nid;
    }

    // ------------------------------------------------------------------ layout

    private static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }

    private static long xattrSize(Node n) {
        if (n.xattrs.isEmpty()) {
            return 0;
        }
        long s = 12;
        for (String[] x : n.xattrs) {
            s += align(4 + suffix(x[0]).length + x[1].getBytes(StandardCharsets.UTF_8).length, 4);
        }
        return s;
    }

    private static int prefixIndex(String name) {
        if (name.startsWith("user.")) {
            return 1;
        }
        if (name.startsWith("trusted.")) {
            return 4;
        }
        if (name.startsWith("security.")) {
            return 6;
        }
        throw new IllegalArgumentException(name);
    }

    private static byte[] suffix(String name) {
        return name.substring(name.indexOf('.') + 1).getBytes(StandardCharsets.UTF_8);
    }

    private static long inodeBytes(Node n) {
        long base = (n.compact ? 32 : 64) + xattrSize(n);
        if (n.isReg()) {
            return align(base, 8) + 8 * ((n.size + CHUNK - 1) / CHUNK);
        }
        if (n.isLink() && n.target.length <= 64) {
            return base + n.target.length;
        }
        return base;
    }

    private void order(Node n) {
        n.children.sort(Comparator.comparing(c -> c.name.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        if (n.linkOf == null) {
            inodes.add(n);
        }
        for (Node c : n.children) {
            if (!c.isDir()) {
                order(c);
            }
        }
        for (Node c : n.children) {
            if (c.isDir()) {
                order(c);
            }
        }
    }

    /** Writes the bootstrap. */
    public byte[] build() {
        order(root);
        long pos = META_BASE + BS;
        for (Node n : inodes) {
            pos = align(pos, 32);
            n.nid = (pos - META_BASE) / 32;
            pos += inodeBytes(n);
            if (n.isReg()) {
                n.firstCi = chunkCount;
                chunkCount += (n.size + CHUNK - 1) / CHUNK;
            }
        }
        // link counts
        for (Node n : inodes) {
            n.nlink = n.isDir() ? 2 + n.children.stream().filter(Node::isDir).count() : 1;
        }
        for (Node n : allNodes(root, new ArrayList<>())) {
            if (n.linkOf != null) {
                n.linkOf.nlink++;
            }
        }
        long block = align(pos, BS) / BS;
        for (Node n : inodes) {
            if (n.isDir()) {
                n.dirData = dirBlocks(n);
                n.size = n.dirData.length;
                n.dataBlock = block;
                block += (n.dirData.length + BS - 1) / BS;
            } else if (n.isLink() && n.target.length > 64) {
                n.dataBlock = block++;
            }
        }
        long chunkTable = block * BS;
        long chunkTableSize = chunkCount * 80;
        long total = align(chunkTable + chunkTableSize, BS);
        if (total > Integer.MAX_VALUE) {
            throw new IllegalStateException("too big");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        boolean anyXattr = inodes.stream().anyMatch(n -> !n.xattrs.isEmpty());
        // superblock
        b.putInt(1024, (int) ErofsSuperblock.MAGIC);
        b.putInt(1032, (int) ErofsSuperblock.COMPAT_RAFS_V6);
        b.put(1036, (byte) 12);
        b.putShort(1038, (short) root.nid);
        b.putLong(1040, inodes.size());
        b.putInt(1060, (int) (align(blobSizeEstimate(), BS) / BS));
        b.putInt(1064, (int) (META_BASE / BS));
        b.putInt(1104, 0xC);
        b.putShort(1110, (short) 1);
        b.putShort(1112, (short) 11);
        // ext superblock
        long flags = 0x1 | 0x4 | 0x10 | (anyXattr ? 0x20 : 0);
        b.putLong(1152, flags);
        b.putLong(1160, BS);
        b.putInt(1168, 256);
        b.putInt(1172, (int) CHUNK);
        b.putLong(1176, chunkTable);
        b.putLong(1184, chunkTableSize);
        // device slot
        b.put(1408, BLOB_ID.getBytes(StandardCharsets.US_ASCII));
        b.putInt(1408 + 64, (int) (align(blobSizeEstimate(), BS) / BS));
        // blob table
        b.put(BS, BLOB_ID.getBytes(StandardCharsets.US_ASCII));
        b.putInt(BS + 68, (int) CHUNK);
        b.putInt(BS + 72, (int) chunkCount);
        b.putInt(BS + 76, 0);
        b.putInt(BS + 80, 0);
        b.putInt(BS + 84, 1);
        // inodes
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        long ci = 0;
        long uoff = 0;
        for (Node n : inodes) {
            int o = (int) (META_BASE + n.nid * 32);
            int layout;
            long iu;
            if (n.isDir()) {
                layout = 0;
                iu = n.dataBlock;
            } else if (n.isReg()) {
                layout = 4;
                iu = 0x20 | (20 - 12);
            } else if (n.isLink()) {
                layout = n.target.length <= 64 ? 2 : 0;
                iu = layout == 0 ? n.dataBlock : 0;
            } else {
                layout = 0;
                iu = n.rdev & 0xFFFFFFFFL;
            }
            long xs = xattrSize(n);
            int icount = xs == 0 ? 0 : (int) ((xs - 12) / 4 + 1);
            if (n.compact) {
                b.putShort(o, (short) (layout << 1));
                b.putShort(o + 2, (short) icount);
                b.putShort(o + 4, (short) n.mode);
                b.putShort(o + 6, (short) n.nlink);
                b.putInt(o + 8, (int) n.size);
                b.putInt(o + 16, (int) iu);
                b.putInt(o + 20, (int) n.nid);
                b.putShort(o + 24, (short) n.uid);
                b.putShort(o + 26, (short) n.gid);
            } else {
                b.putShort(o, (short) (1 | layout << 1));
                b.putShort(o + 2, (short) icount);
                b.putShort(o + 4, (short) n.mode);
                b.putLong(o + 8, n.size);
                b.putInt(o + 16, (int) iu);
                b.putInt(o + 20, (int) n.nid);
                b.putInt(o + 24, (int) n.uid);
                b.putInt(o + 28, (int) n.gid);
                b.putLong(o + 32, n.mtime);
                b.putInt(o + 40, 123);
                b.putInt(o + 44, (int) n.nlink);
            }
            int p = o + (n.compact ? 32 : 64);
            if (xs > 0) {
                int q = p + 12;
                for (String[] x : n.xattrs) {
                    byte[] sfx = suffix(x[0]);
                    byte[] val = x[1].getBytes(StandardCharsets.UTF_8);
                    b.put(q, (byte) sfx.length);
                    b.put(q + 1, (byte) prefixIndex(x[0]));
                    b.putShort(q + 2, (short) val.length);
                    b.put(q + 4, sfx);
                    b.put(q + 4 + sfx.length, val);
                    q += (int) align(4 + sfx.length + val.length, 4);
                }
                p += (int) xs;
            }
            if (n.isDir()) {
                b.put((int) (n.dataBlock * BS), n.dirData);
            } else if (n.isLink()) {
                b.put(layout == 2 ? p : (int) (n.dataBlock * BS), n.target);
            } else if (n.isReg()) {
                int idx = (int) (o + align((n.compact ? 32 : 64) + xs, 8));
                n.content = pattern(n.nid, n.size);
                long chunks = (n.size + CHUNK - 1) / CHUNK;
                for (long k = 0; k < chunks; k++, ci++) {
                    int len = (int) Math.min(CHUNK, n.size - k * CHUNK);
                    b.putShort(idx + (int) (8 * k), (short) (ci & 0xFFFF));
                    b.putShort(idx + (int) (8 * k) + 2, (short) (((ci >> 16) << 8) | 1));
                    b.putInt(idx + (int) (8 * k) + 4, (int) (uoff / BS));
                    int rec = (int) (chunkTable + 80 * ci);
                    byte[] data = Arrays.copyOfRange(n.content, (int) (k * CHUNK), (int) (k * CHUNK) + len);
                    b.put(rec, DigestAlgorithm.BLAKE3.digest(data));
                    b.putInt(rec + 32, 0);
                    b.putInt(rec + 36, 0);
                    b.putInt(rec + 40, len);
                    b.putInt(rec + 44, len);
                    b.putLong(rec + 48, blob.size());
                    b.putLong(rec + 56, uoff);
                    b.putLong(rec + 64, k * CHUNK);
                    b.putInt(rec + 72, (int) ci);
                    blob.writeBytes(data);
                    uoff += align(len, BS);
                }
            }
        }
        blobSize = blob.size();
        this.blob = blob.toByteArray();
        b.putLong(BS + 88, blobSize);
        b.putLong(BS + 96, uoff);
        return b.array();
    }

    private byte[] blob;

    /** The uncompressed blob (valid after {@link #build()}). */
    public byte[] blob() {
        return blob;
    }

    private long blobSizeEstimate() {
        return chunkCount * BS;
    }

    private static byte[] pattern(long seed, long size) {
        byte[] d = new byte[(int) size];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (seed * 31 + i * 7 + (i >> 12));
        }
        return d;
    }

    private static List<Node> allNodes(Node n, List<Node> acc) {
        acc.add(n);
        for (Node c : n.children) {
            allNodes(c, acc);
        }
        return acc;
    }

    private static int direntType(Node n) {
        switch (n.mode & 0170000) {
            case 0100000: return 1;
            case 0040000: return 2;
            case 0020000: return 3;
            case 0060000: return 4;
            case 0010000: return 5;
            case 0140000: return 6;
            case 0120000: return 7;
            default: return 0;
        }
    }

    private static byte[] dirBlocks(Node dir) {
        List<Object[]> entries = new ArrayList<>();
        entries.add(new Object[] {".".getBytes(StandardCharsets.UTF_8), dir.nid, 2});
        entries.add(new Object[] {"..".getBytes(StandardCharsets.UTF_8), (dir.parent == null ? dir : dir.parent).nid, 2});
        for (Node c : dir.children) {
            entries.add(new Object[] {c.name.getBytes(StandardCharsets.UTF_8), nidOf(c), direntType(c)});
        }
        entries.sort((x, y) -> Arrays.compareUnsigned((byte[]) x[0], (byte[]) y[0]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < entries.size()) {
            int used = 0;
            int j = i;
            while (j < entries.size() && used + 12 + ((byte[]) entries.get(j)[0]).length <= BS) {
                used += 12 + ((byte[]) entries.get(j)[0]).length;
                j++;
            }
            ByteBuffer blk = ByteBuffer.allocate(BS).order(ByteOrder.LITTLE_ENDIAN);
            int nameOff = 12 * (j - i);
            for (int k = i; k < j; k++) {
                byte[] nm = (byte[]) entries.get(k)[0];
                int e = 12 * (k - i);
                blk.putLong(e, (Long) entries.get(k)[1]);
                blk.putShort(e + 8, (short) nameOff);
                blk.put(e + 10, (byte) (int) (Integer) entries.get(k)[2]);
                blk.put(nameOff, nm);
                nameOff += nm.length;
            }
            boolean last = j == entries.size();
            out.write(blk.array(), 0, last ? used : BS);
            i = j;
        }
        return out.toByteArray();
    }
}
