package dev.damselfly.rafs.build;

import dev.damselfly.rafs.tar.TarXattr;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Lays out and writes a single-blob RAFS v6 bootstrap (§1.1–§1.14) for a built tree: superblock, RAFS
 * extended superblock, one device slot, one blob table entry, a one-entry prefetch table (the root: "all"),
 * extended (64-byte) inodes with inline xattrs,
 * directory and symlink data (tails inlined when they fit in the inode's block), chunk indexes, and the
 * 80-byte chunk table. Everything nydusd checks (§10.8) holds: checksum 0, {@code xattr_blkaddr} 0,
 * {@code feature_incompat} 0xC, device table at 1408, file size a multiple of 4096, blob feature ALIGNED.
 * The kernel's EROFS driver reads the same file (chunk format bits per inode = superblock chunk size).
 */
final class V6BootstrapWriter {
    static final int BLOCK = 4096;
    static final long COMPAT_RAFS_V6 = 0x40000000L;
    static final int INCOMPAT_CHUNKED_DEVICE_TABLE = 0xC;
    static final int DEVICE_SLOT_OFFSET = 1408;
    static final int BLOB_TABLE_OFFSET = 4096;
    static final int BLOB_ENTRY_SIZE = 256;
    /** The prefetch table follows the blob table (§1.6). */
    static final int PREFETCH_TABLE_OFFSET = BLOB_TABLE_OFFSET + BLOB_ENTRY_SIZE;
    /** One entry: the root nid, "prefetch everything", as nydusify's {@code --prefetch-policy fs} with {@code /}. */
    static final int PREFETCH_TABLE_SIZE = 4;
    static final int INODE_SIZE = 64;
    static final int CHUNK_RECORD_SIZE = 80;
    static final long FLAG_EXPLICIT_UID_GID = 0x10;
    static final long FLAG_HAS_XATTR = 0x20;
    static final long FLAG_INLINED_CHUNK_DIGEST = 0x100;
    private static final int LAYOUT_FLAT_PLAIN = 0;
    private static final int LAYOUT_FLAT_INLINE = 2;
    private static final int LAYOUT_CHUNK_BASED = 4;

    private final FsNode root;
    private final ChunkList chunks;
    private final LayerBuildOptions opts;

    /** Per-inode layout decisions. */
    private static final class Placement {
        FsNode node;
        long pos;
        int xattrSize;
        int layout;
        long iu;
        byte[] data;
        boolean inline;
        List<DirentBlocks.Entry> entries;
    }

    private final List<Placement> order = new ArrayList<>();
    private final Set<FsInode> placed = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean anyXattr;

    V6BootstrapWriter(FsNode root, ChunkList chunks, LayerBuildOptions opts) {
        this.root = root;
        this.chunks = chunks;
        this.opts = opts;
        collect(root);
    }

    /** Inodes in the tree (hard links counted once). */
    int inodeCount() {
        return order.size();
    }

    /** §1.14 order: a directory, its non-directory children, then its sub-directories recursively. */
    private void collect(FsNode dir) {
        visit(dir);
        for (FsNode c : dir.children.values()) {
            if (!c.inode.isDir()) {
                visit(c);
            }
        }
        for (FsNode c : dir.children.values()) {
            if (c.inode.isDir()) {
                collect(c);
            }
        }
    }

    private void visit(FsNode n) {
        if (placed.add(n.inode)) {
            Placement p = new Placement();
            p.node = n;
            n.inode.ino = order.size() + 1L;
            order.add(p);
        }
    }

    /** Writes the bootstrap describing {@code blob}. Idempotent: may be called again with another descriptor. */
    byte[] write(BlobDescriptor blob) {
        long metaBase = align(PREFETCH_TABLE_OFFSET + PREFETCH_TABLE_SIZE, BLOCK);
        long pos = metaBase + BLOCK;
        int chunkBits = Integer.numberOfTrailingZeros(opts.chunkSize());
        anyXattr = false;
        for (Placement p : order) {
            FsInode in = p.node.inode;
            p.xattrSize = xattrSize(in.xattrs);
            anyXattr |= p.xattrSize > 0;
            long base = INODE_SIZE + p.xattrSize;
            long total;
            p.inline = false;
            if (in.isDir()) {
                in.nlink = 2 + (int) p.node.children.values().stream().filter(c -> c.inode.isDir()).count();
                p.entries = DirentBlocks.entries(p.node);
                in.size = DirentBlocks.size(p.entries);
                long tail = in.size % BLOCK;
                p.inline = tail != 0 && base + tail <= BLOCK;
                p.layout = p.inline ? LAYOUT_FLAT_INLINE : LAYOUT_FLAT_PLAIN;
                total = base + (p.inline ? tail : 0);
            } else if (in.isSymlink()) {
                p.inline = base + in.target.length <= BLOCK;
                p.layout = p.inline ? LAYOUT_FLAT_INLINE : LAYOUT_FLAT_PLAIN;
                total = base + (p.inline ? in.target.length : 0);
            } else if (in.isReg()) {
                p.layout = LAYOUT_CHUNK_BASED;
                p.iu = 0x20 | (chunkBits - 12);
                total = align(base, 8) + 8L * in.chunks.length;
            } else {
                p.layout = LAYOUT_FLAT_PLAIN;
                p.iu = in.rdev & 0xFFFFFFFFL;
                total = base;
            }
            pos = align(pos, 32);
            long mustFit = p.inline ? total : Math.min(total, align(base, 8));
            if (pos % BLOCK + mustFit > BLOCK) {
                pos = align(pos, BLOCK);
            }
            p.pos = pos;
            in.nid = (pos - metaBase) / 32;
            pos += total;
        }
        long block = align(pos, BLOCK) / BLOCK;
        for (Placement p : order) {
            FsInode in = p.node.inode;
            if (in.isDir()) {
                long full = p.inline ? in.size / BLOCK : (in.size + BLOCK - 1) / BLOCK;
                p.iu = full == 0 ? 0 : block;
                block += full;
            } else if (in.isSymlink() && !p.inline) {
                p.iu = block++;
            }
        }
        long chunkTable = block * BLOCK;
        long chunkTableSize = (long) chunks.size() * CHUNK_RECORD_SIZE;
        long total = align(chunkTable + chunkTableSize, BLOCK);
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("bootstrap of " + total + " bytes does not fit in memory");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        writeSuperblocks(b, blob, metaBase, chunkTable, chunkTableSize, total);
        for (Placement p : order) {
            writeInode(b, p);
        }
        writeChunkTable(b, chunkTable);
        return b.array();
    }

    private void writeSuperblocks(ByteBuffer b, BlobDescriptor blob, long metaBase, long chunkTable, long chunkTableSize,
                                  long total) {
        long blobBlocks = blob.uncompressedSize() / BLOCK;
        b.putInt(1024, 0xE0F5E1E2);
        b.putInt(1032, (int) COMPAT_RAFS_V6);
        b.put(1036, (byte) 12);
        b.putShort(1038, (short) root.inode.nid);
        b.putLong(1040, order.size());
        b.putInt(1060, (int) blobBlocks);
        b.putInt(1064, (int) (metaBase / BLOCK));
        b.putInt(1104, INCOMPAT_CHUNKED_DEVICE_TABLE);
        b.putShort(1110, (short) 1);
        b.putShort(1112, (short) (DEVICE_SLOT_OFFSET / 128));
        long flags = opts.compression().superblockFlag() | opts.digest().superblockFlag() | FLAG_EXPLICIT_UID_GID
                | FLAG_INLINED_CHUNK_DIGEST | (anyXattr ? FLAG_HAS_XATTR : 0);
        b.putLong(1152, flags);
        b.putLong(1160, BLOB_TABLE_OFFSET);
        b.putInt(1168, BLOB_ENTRY_SIZE);
        b.putInt(1172, opts.chunkSize());
        b.putLong(1176, chunkTable);
        b.putLong(1184, chunkTableSize);
        b.putLong(1192, PREFETCH_TABLE_OFFSET);
        b.putInt(1200, PREFETCH_TABLE_SIZE);
        b.putInt(PREFETCH_TABLE_OFFSET, (int) root.inode.nid);
        byte[] id = blob.blobId().getBytes(StandardCharsets.US_ASCII);
        b.put(DEVICE_SLOT_OFFSET, id);
        b.putInt(DEVICE_SLOT_OFFSET + 64, (int) Math.max(1, blobBlocks));
        b.putInt(DEVICE_SLOT_OFFSET + 68, (int) (align(total, 512 * 1024) / BLOCK));
        int o = BLOB_TABLE_OFFSET;
        b.put(o, id);
        b.putInt(o + 64, 0);
        b.putInt(o + 68, opts.chunkSize());
        b.putInt(o + 72, chunks.size());
        b.putInt(o + 76, opts.compression().code());
        b.putInt(o + 80, opts.digest().code());
        b.putInt(o + 84, (int) blob.features());
        b.putLong(o + 88, blob.compressedSize());
        b.putLong(o + 96, blob.uncompressedSize());
        b.putInt(o + 104, (int) blob.tocSize());
        b.putInt(o + 108, blob.ciCompressor().code());
        b.putLong(o + 112, blob.ciOffset());
        b.putLong(o + 120, blob.ciCompressedSize());
        b.putLong(o + 128, blob.ciUncompressedSize());
        b.put(o + 136, blob.tocDigest());
    }

    private void writeInode(ByteBuffer b, Placement p) {
        FsInode in = p.node.inode;
        int o = (int) p.pos;
        int icount = p.xattrSize == 0 ? 0 : (p.xattrSize - 12) / 4 + 1;
        b.putShort(o, (short) (1 | p.layout << 1));
        b.putShort(o + 2, (short) icount);
        b.putShort(o + 4, (short) in.mode);
        b.putLong(o + 8, in.size);
        b.putInt(o + 16, (int) p.iu);
        b.putInt(o + 20, (int) in.ino);
        b.putInt(o + 24, (int) in.uid);
        b.putInt(o + 28, (int) in.gid);
        b.putLong(o + 32, in.mtimeSeconds);
        b.putInt(o + 40, 0);
        b.putInt(o + 44, in.nlink);
        int q = o + INODE_SIZE;
        if (p.xattrSize > 0) {
            int x = q + 12;
            for (TarXattr a : in.xattrs) {
                byte[] sfx = XattrPrefix.suffix(a.name());
                b.put(x, (byte) sfx.length);
                b.put(x + 1, (byte) XattrPrefix.of(a.name()).index);
                b.putShort(x + 2, (short) a.value().length);
                b.put(x + 4, sfx);
                b.put(x + 4 + sfx.length, a.value());
                x += (int) align(4 + sfx.length + a.value().length, 4);
            }
            q += p.xattrSize;
        }
        if (in.isDir()) {
            byte[] data = DirentBlocks.encode(p.entries);
            int full = p.inline ? (int) (in.size / BLOCK) * BLOCK : data.length;
            b.put((int) (p.iu * BLOCK), data, 0, full);
            if (p.inline) {
                b.put(q, data, full, data.length - full);
            }
        } else if (in.isSymlink()) {
            b.put(p.inline ? q : (int) (p.iu * BLOCK), in.target);
        } else if (in.isReg()) {
            int idx = (int) (o + align(q - o, 8));
            for (int k = 0; k < in.chunks.length; k++) {
                int ci = in.chunks[k];
                b.putShort(idx + 8 * k, (short) (ci & 0xFFFF));
                b.putShort(idx + 8 * k + 2, (short) (((ci >>> 16) << 8) | 1));
                b.putInt(idx + 8 * k + 4, (int) (chunks.uncompressedOffset(ci) / BLOCK));
            }
        }
    }

    /** One 80-byte record per distinct chunk (§1.12), sorted by digest as the current builder does. */
    private void writeChunkTable(ByteBuffer b, long at) {
        Integer[] idx = new Integer[chunks.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        byte[][] digests = new byte[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            digests[i] = chunks.digest(i);
        }
        Arrays.sort(idx, (x, y) -> {
            int c = Arrays.compareUnsigned(digests[x], digests[y]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        for (int r = 0; r < idx.length; r++) {
            int i = idx[r];
            int o = (int) (at + (long) r * CHUNK_RECORD_SIZE);
            b.put(o, digests[i]);
            b.putInt(o + 32, 0);
            b.putInt(o + 36, (chunks.compressed(i) ? 0x1 : 0) | 0x10);
            b.putInt(o + 40, chunks.compressedSize(i));
            b.putInt(o + 44, chunks.uncompressedSize(i));
            b.putLong(o + 48, chunks.compressedOffset(i));
            b.putLong(o + 56, chunks.uncompressedOffset(i));
            b.putLong(o + 64, chunks.fileOffset(i));
            b.putInt(o + 72, i);
            b.putInt(o + 76, chunks.crc32c(i));
        }
    }

    private static int xattrSize(List<TarXattr> xattrs) {
        if (xattrs.isEmpty()) {
            return 0;
        }
        long s = 12;
        for (TarXattr x : xattrs) {
            s += align(4 + XattrPrefix.suffix(x.name()).length + x.value().length, 4);
        }
        if (s > 0xFFFF * 4L) {
            throw new IllegalStateException("xattrs too large");
        }
        return (int) s;
    }

    static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
