package dev.damselfly.rafs.build;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
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
 * Lays out and writes a RAFS v6 bootstrap for one blob (a layer build) or several (a merge) (§1.1–§1.14) for a built tree: superblock, RAFS
 * extended superblock, one device slot and blob table entry per blob, a prefetch table (by default one root entry: "all"; or
 * the inodes given to {@link #prefetch}),
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
    static final int DEVICE_SLOT_SIZE = 128;
    static final int BLOB_ENTRY_SIZE = 256;
    /** Largest blob count: 8 bits of device id in a chunk index entry, id 0 invalid (§1.8). */
    static final int MAX_BLOBS = 254;
    /** Bytes per prefetch table entry (a u32 nid). */
    static final int PREFETCH_ENTRY_SIZE = 4;
    static final int INODE_SIZE = 64;
    static final int CHUNK_RECORD_SIZE = 80;
    static final long FLAG_EXPLICIT_UID_GID = 0x10;
    static final long FLAG_HAS_XATTR = 0x20;
    static final long FLAG_INLINED_CHUNK_DIGEST = 0x100;
    private static final int LAYOUT_FLAT_PLAIN = 0;
    private static final int LAYOUT_FLAT_INLINE = 2;
    private static final int LAYOUT_CHUNK_BASED = 4;

    /**
     * One blob table entry / device slot.
     *
     * @param desc        what the entry says about the blob
     * @param chunkCount  entries in the blob's chunk-info array
     * @param compression the blob's chunk compression
     * @param digest      the blob's chunk digest algorithm
     */
    record BlobEntry(BlobDescriptor desc, long chunkCount, Compression compression, DigestAlgorithm digest) {
    }

    private final FsNode root;
    /** Chunks per blob, indexed by blob index; an inode's {@link FsInode#chunks} index {@code blobChunks.get(inode.blob)}. */
    private final List<ChunkList> blobChunks;
    private final int chunkSize;
    /** Compression and digest superblock flags. */
    private final long algoFlags;
    /** Set HAS_XATTR even without xattrs (what nydus does for merged bootstraps, §1.14). */
    private final boolean alwaysXattrFlag;

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
    /** Where the last {@link #write} put its tables; null before the first. */
    private Layout written;
    /** Prefetch table entries; null = the root alone ("prefetch everything", nydusify's {@code fs} policy with {@code /}). */
    private List<FsInode> prefetch;

    /**
     * A layer build: {@code blobChunks} holds the used chunk-dictionary blobs' chunks (if any), then the layer's
     * own; write it with {@link #write(List)}.
     */
    V6BootstrapWriter(FsNode root, List<ChunkList> blobChunks, LayerBuildOptions opts) {
        this(root, blobChunks, opts.chunkSize(), opts.compression().superblockFlag() | opts.digest().superblockFlag(),
                false);
    }

    /**
     * A bootstrap over several blobs.
     *
     * @param blobChunks      referenced chunks of each blob, by blob index
     * @param chunkSize       bytes per chunk, shared by all blobs
     * @param algoFlags       image-level compression | digest superblock flags
     * @param alwaysXattrFlag set HAS_XATTR even when no inode has xattrs
     */
    V6BootstrapWriter(FsNode root, List<ChunkList> blobChunks, int chunkSize, long algoFlags, boolean alwaysXattrFlag) {
        if (blobChunks.isEmpty() || blobChunks.size() > MAX_BLOBS) {
            throw new IllegalArgumentException(blobChunks.size() + " blobs; a bootstrap holds 1 to " + MAX_BLOBS);
        }
        this.root = root;
        this.blobChunks = List.copyOf(blobChunks);
        this.chunkSize = chunkSize;
        this.algoFlags = algoFlags;
        this.alwaysXattrFlag = alwaysXattrFlag;
        collect(root);
    }

    /**
     * Sets the prefetch table's entries (inodes of this tree, in table order; an empty list writes an empty
     * table). Without this call the table holds the root alone.
     */
    V6BootstrapWriter prefetch(List<FsInode> inodes) {
        for (FsInode i : inodes) {
            if (!placed.contains(i)) {
                throw new IllegalArgumentException("prefetch inode is not part of the tree");
            }
        }
        this.prefetch = List.copyOf(inodes);
        return this;
    }

    private List<FsInode> prefetchInodes() {
        return prefetch != null ? prefetch : List.of(root.inode);
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

    /** Blob table offset for {@code n} blobs: 4096, or the first block after the device slots when they reach it. */
    static long blobTableOffset(int n) {
        return Math.max(BLOCK, align(DEVICE_SLOT_OFFSET + (long) DEVICE_SLOT_SIZE * n, BLOCK));
    }

    /** Writes the bootstrap; {@code blobs.get(i)} describes blob index i. Idempotent. */
    byte[] write(List<BlobEntry> blobs) {
        if (blobs.size() != blobChunks.size()) {
            throw new IllegalArgumentException(blobs.size() + " blob entries for " + blobChunks.size() + " chunk lists");
        }
        long blobTable = blobTableOffset(blobs.size());
        long prefetchTable = blobTable + (long) BLOB_ENTRY_SIZE * blobs.size();
        long metaBase = align(prefetchTable + (long) PREFETCH_ENTRY_SIZE * prefetchInodes().size(), BLOCK);
        long pos = metaBase + BLOCK;
        int chunkBits = Integer.numberOfTrailingZeros(chunkSize);
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
        long records = 0;
        for (ChunkList c : blobChunks) {
            records += c.size();
        }
        long chunkTableSize = records * CHUNK_RECORD_SIZE;
        long total = align(chunkTable + chunkTableSize, BLOCK);
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("bootstrap of " + total + " bytes does not fit in memory");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        Layout layout = new Layout(blobTable, prefetchTable, metaBase, chunkTable, chunkTableSize, total);
        writeSuperblocks(b, blobs, layout);
        for (Placement p : order) {
            writeInode(b, p);
        }
        writeChunkTable(b, chunkTable);
        written = layout;
        return b.array();
    }

    /**
     * What {@link #write} gives for {@code blobs}, made from {@code previous}, the last bootstrap it wrote, when only
     * the blobs' ids, TOCs and other table fields differ (not their number or uncompressed sizes, which place the
     * tables): the superblock, device slots and blob table are written again, the inodes and chunk table copied. A
     * layer build writes its bootstrap twice, once inlined into the blob and once more naming the finished blob,
     * and a whole second write took about 20 ms of a build's serial end.
     */
    byte[] rewriteBlobs(byte[] previous, List<BlobEntry> blobs) {
        if (written == null || previous.length != written.total || blobs.size() != blobChunks.size()) {
            throw new IllegalArgumentException("not the last bootstrap this writer wrote, or another number of blobs");
        }
        ByteBuffer b = ByteBuffer.wrap(previous.clone()).order(ByteOrder.LITTLE_ENDIAN);
        writeSuperblocks(b, blobs, written);
        return b.array();
    }

    /** Offsets and sizes of a written bootstrap's tables, in bytes. */
    private record Layout(long blobTable, long prefetchTable, long metaBase, long chunkTable, long chunkTableSize,
                          long total) {
    }

    private void writeSuperblocks(ByteBuffer b, List<BlobEntry> blobs, Layout layout) {
        long blobTable = layout.blobTable();
        long prefetchTable = layout.prefetchTable();
        long metaBase = layout.metaBase();
        long chunkTable = layout.chunkTable();
        long chunkTableSize = layout.chunkTableSize();
        long total = layout.total();
        long blocks = 0;
        boolean allInlinedDigest = true;
        for (BlobEntry e : blobs) {
            blocks += e.desc().uncompressedSize() / BLOCK;
            allInlinedDigest &= (e.desc().features() & BlobInfo.FEATURE_INLINED_CHUNK_DIGEST) != 0;
        }
        b.putInt(1024, 0xE0F5E1E2);
        b.putInt(1032, (int) COMPAT_RAFS_V6);
        b.put(1036, (byte) 12);
        b.putShort(1038, (short) root.inode.nid);
        b.putLong(1040, order.size());
        b.putInt(1060, (int) blocks);
        b.putInt(1064, (int) (metaBase / BLOCK));
        b.putInt(1104, INCOMPAT_CHUNKED_DEVICE_TABLE);
        b.putShort(1110, (short) blobs.size());
        b.putShort(1112, (short) (DEVICE_SLOT_OFFSET / DEVICE_SLOT_SIZE));
        long flags = algoFlags | FLAG_EXPLICIT_UID_GID | (allInlinedDigest ? FLAG_INLINED_CHUNK_DIGEST : 0)
                | (anyXattr || alwaysXattrFlag ? FLAG_HAS_XATTR : 0);
        b.putLong(1152, flags);
        b.putLong(1160, blobTable);
        b.putInt(1168, BLOB_ENTRY_SIZE * blobs.size());
        b.putInt(1172, chunkSize);
        b.putLong(1176, chunkTable);
        b.putLong(1184, chunkTableSize);
        b.putLong(1192, prefetchTable);
        List<FsInode> pf = prefetchInodes();
        b.putInt(1200, PREFETCH_ENTRY_SIZE * pf.size());
        for (int i = 0; i < pf.size(); i++) {
            b.putInt((int) prefetchTable + PREFETCH_ENTRY_SIZE * i, (int) pf.get(i).nid);
        }
        long mapped = align(total, 512 * 1024) / BLOCK;
        for (int i = 0; i < blobs.size(); i++) {
            BlobEntry e = blobs.get(i);
            BlobDescriptor blob = e.desc();
            long blobBlocks = blob.uncompressedSize() / BLOCK;
            byte[] id = blob.blobId().getBytes(StandardCharsets.US_ASCII);
            int s = DEVICE_SLOT_OFFSET + DEVICE_SLOT_SIZE * i;
            b.put(s, id);
            b.putInt(s + 64, (int) Math.max(1, blobBlocks));
            b.putInt(s + 68, (int) mapped);
            mapped = align(mapped + Math.max(1, blobBlocks), 512 * 1024 / BLOCK);
            writeBlobEntry(b, (int) blobTable + BLOB_ENTRY_SIZE * i, i, id, e);
        }
    }

    private void writeBlobEntry(ByteBuffer b, int o, int index, byte[] id, BlobEntry e) {
        BlobDescriptor blob = e.desc();
        b.put(o, id);
        b.putInt(o + 64, index);
        b.putInt(o + 68, chunkSize);
        b.putInt(o + 72, (int) e.chunkCount());
        b.putInt(o + 76, e.compression().code());
        b.putInt(o + 80, e.digest().code());
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
                int blob = in.chunkBlobs != null ? in.chunkBlobs[k] : in.blob;
                ChunkList chunks = blobChunks.get(blob);
                int ci = chunks.ciIndex(in.chunks[k]);
                b.putShort(idx + 8 * k, (short) (ci & 0xFFFF));
                b.putShort(idx + 8 * k + 2, (short) (((ci >>> 16) << 8) | (blob + 1)));
                b.putInt(idx + 8 * k + 4, (int) (chunks.uncompressedOffset(in.chunks[k]) / BLOCK));
            }
        }
    }

    /**
     * One 80-byte record per distinct chunk (§1.12), sorted by (digest, blob index, position) as the current
     * builder does.
     */
    private void writeChunkTable(ByteBuffer b, long at) {
        int n = 0;
        for (ChunkList c : blobChunks) {
            n += c.size();
        }
        long[] idx = new long[n];
        byte[][] digests = new byte[n][];
        int r0 = 0;
        for (int bi = 0; bi < blobChunks.size(); bi++) {
            ChunkList c = blobChunks.get(bi);
            for (int i = 0; i < c.size(); i++) {
                idx[r0] = (long) bi << 32 | i;
                digests[r0] = c.digest(i);
                r0++;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> {
            int c = Arrays.compareUnsigned(digests[x], digests[y]);
            return c != 0 ? c : Long.compare(idx[x], idx[y]);
        });
        for (int r = 0; r < n; r++) {
            int bi = (int) (idx[order[r]] >>> 32);
            int i = (int) idx[order[r]];
            ChunkList chunks = blobChunks.get(bi);
            int o = (int) (at + (long) r * CHUNK_RECORD_SIZE);
            b.put(o, digests[order[r]]);
            b.putInt(o + 32, bi);
            b.putInt(o + 36, chunks.recordFlags(i));
            b.putInt(o + 40, chunks.compressedSize(i));
            b.putInt(o + 44, chunks.uncompressedSize(i));
            b.putLong(o + 48, chunks.compressedOffset(i));
            b.putLong(o + 56, chunks.uncompressedOffset(i));
            b.putLong(o + 64, chunks.fileOffset(i));
            b.putInt(o + 72, chunks.ciIndex(i));
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
