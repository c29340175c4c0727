package dev.damselfly.rafs.v6;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsVersion;
import dev.damselfly.rafs.UnsupportedRafsFeatureException;
import dev.damselfly.rafs.WrongInodeTypeException;
import dev.damselfly.rafs.Xattr;
import dev.damselfly.rafs.chunk.ChunkRecord;
import dev.damselfly.rafs.chunk.ChunkTable;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import dev.damselfly.rafs.io.ByteRegion;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A RAFS v6 bootstrap (or a plain EROFS chunked image). Opening reads the superblocks and the small tables
 * (device slots, blob table, prefetch table); inodes, directories and chunk records are decoded on demand
 * from the mapped bytes, so opening costs the same for 10 or 10 million inodes.
 */
public final class V6Image implements RafsImage {
    /** RAFS superblock flags this reader knows (others make the image unsupported). */
    static final long KNOWN_FLAGS = 0x3FFL | 0x01000000L | 0x02000000L | 0xFC000000L;
    static final long FLAG_ENCRYPTION_AES_128_XTS = 0x02000000L;
    static final long FLAG_TARFS_MODE = 0x200L;

    private final ByteRegion r;
    private final ErofsSuperblock sb;
    private final RafsV6ExtSuperblock ext;
    private final List<DeviceSlot> devices;
    private final List<BlobInfo> blobs;
    private final List<Long> prefetch;
    private final ChunkTable chunkTable;
    private final Compression compression;
    private final DigestAlgorithm digest;
    private final long metaBase;
    private final int bs;

    private V6Image(ByteRegion r, ErofsSuperblock sb, RafsV6ExtSuperblock ext, List<DeviceSlot> devices,
                    List<BlobInfo> blobs, List<Long> prefetch, ChunkTable chunkTable, Compression compression,
                    DigestAlgorithm digest) {
        this.r = r;
        this.sb = sb;
        this.ext = ext;
        this.devices = devices;
        this.blobs = blobs;
        this.prefetch = prefetch;
        this.chunkTable = chunkTable;
        this.compression = compression;
        this.digest = digest;
        this.bs = sb.blockSize();
        this.metaBase = sb.metaBlkaddr() * bs;
    }

    /** Parses and validates the fixed structures of the bootstrap in {@code r}. */
    public static V6Image open(ByteRegion r) throws RafsFormatException {
        ErofsSuperblock sb = ErofsSuperblock.read(r);
        String in = r.name();
        if (sb.blkszbits() != 12 && sb.blkszbits() != 9) {
            throw new UnsupportedRafsFeatureException(in, ErofsSuperblock.OFFSET + 12, "block size bits " + sb.blkszbits());
        }
        long knownIncompat = ErofsSuperblock.INCOMPAT_CHUNKED_FILE | ErofsSuperblock.INCOMPAT_DEVICE_TABLE;
        if ((sb.featureIncompat() & ~knownIncompat) != 0) {
            throw new UnsupportedRafsFeatureException(in, ErofsSuperblock.OFFSET + 80,
                    String.format("EROFS incompatible features 0x%x", sb.featureIncompat()));
        }
        int bs = sb.blockSize();
        if (sb.metaBlkaddr() * bs >= r.size()) {
            throw new RafsFormatException(in, ErofsSuperblock.OFFSET + 40, "meta_blkaddr " + sb.metaBlkaddr() + " beyond the end");
        }
        List<DeviceSlot> devices = new ArrayList<>();
        long slotBase = (long) sb.devtSlotoff() * DeviceSlot.SIZE;
        if (sb.extraDevices() > 0) {
            r.check(slotBase, (long) sb.extraDevices() * DeviceSlot.SIZE, "device slot table");
            if (sb.isRafs() && slotBase < RafsV6ExtSuperblock.OFFSET + 256) {
                throw new RafsFormatException(in, ErofsSuperblock.OFFSET + 88, "device table overlaps the RAFS superblock");
            }
        }
        for (int i = 0; i < sb.extraDevices(); i++) {
            devices.add(DeviceSlot.read(r, slotBase + (long) i * DeviceSlot.SIZE));
        }
        V6Image image;
        if (sb.isRafs()) {
            image = openRafs(r, sb, List.copyOf(devices));
        } else {
            List<BlobInfo> blobs = new ArrayList<>();
            for (int i = 0; i < devices.size(); i++) {
                DeviceSlot d = devices.get(i);
                blobs.add(new BlobInfo(i, d.tag(), 0, 0, Compression.NONE, null, 0, d.blocks() * bs, d.blocks() * bs, 0,
                        Compression.NONE, 0, 0, 0, new byte[32], new byte[32], 0, 0, 0));
            }
            image = new V6Image(r, sb, null, List.copyOf(devices), List.copyOf(blobs), List.of(),
                    new ChunkTable(r, 0, 0), Compression.NONE, null);
        }
        V6Inode root = image.inode(sb.rootNid());
        if (root.type() != FileType.DIRECTORY) {
            throw new RafsFormatException(in, root.offset(), root.nid(), "root inode is not a directory");
        }
        return image;
    }

    private static V6Image openRafs(ByteRegion r, ErofsSuperblock sb, List<DeviceSlot> devices) throws RafsFormatException {
        String in = r.name();
        RafsV6ExtSuperblock ext = RafsV6ExtSuperblock.read(r);
        long flags = ext.flags();
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new UnsupportedRafsFeatureException(in, RafsV6ExtSuperblock.OFFSET, String.format("RAFS flags 0x%x", flags));
        }
        if ((flags & FLAG_ENCRYPTION_AES_128_XTS) != 0) {
            throw new UnsupportedRafsFeatureException(in, RafsV6ExtSuperblock.OFFSET, "encrypted chunks (aes-128-xts)");
        }
        Compression comp = Compression.ofSuperblockFlags(flags);
        DigestAlgorithm dig = DigestAlgorithm.ofSuperblockFlags(flags);
        if (comp == null || dig == null) {
            throw new RafsFormatException(in, RafsV6ExtSuperblock.OFFSET,
                    String.format("flags 0x%x must name exactly one compression and one digest", flags));
        }
        long cs = ext.chunkSize();
        if (Long.bitCount(cs) != 1 || cs < 4096 || cs > (16 << 20)) {
            throw new RafsFormatException(in, RafsV6ExtSuperblock.OFFSET + 20, "chunk size " + cs + " is not a power of two in [4 KiB, 16 MiB]");
        }
        List<BlobInfo> blobs = V6BlobTable.read(r, ext.blobTableOffset(), ext.blobTableSize(), cs);
        if (blobs.size() != devices.size()) {
            throw new RafsFormatException(in, ErofsSuperblock.OFFSET + 86,
                    blobs.size() + " blob table entries but " + devices.size() + " device slots");
        }
        List<Long> prefetch = new ArrayList<>();
        if (ext.prefetchTableOffset() != 0 && ext.prefetchTableSize() != 0) {
            if (ext.prefetchTableSize() % 4 != 0) {
                throw new RafsFormatException(in, RafsV6ExtSuperblock.OFFSET + 48, "prefetch table size not a multiple of 4");
            }
            r.check(ext.prefetchTableOffset(), ext.prefetchTableSize(), "prefetch table");
            for (long p = 0; p < ext.prefetchTableSize(); p += 4) {
                long nid = r.u32(ext.prefetchTableOffset() + p);
                if (nid == 0) {
                    break;
                }
                prefetch.add(nid);
            }
        }
        ChunkTable table = new ChunkTable(r, ext.chunkTableOffset(), ext.chunkTableSize());
        return new V6Image(r, sb, ext, devices, blobs, List.copyOf(prefetch), table, comp, dig);
    }

    // ---- format-specific accessors (inspect / check tools) ----

    public ErofsSuperblock superblock() {
        return sb;
    }

    /** The nydus extended superblock, or null for plain EROFS images. */
    public RafsV6ExtSuperblock extSuperblock() {
        return ext;
    }

    public List<DeviceSlot> devices() {
        return devices;
    }

    public ChunkTable chunkTable() {
        return chunkTable;
    }

    /** Size of the bootstrap in bytes. */
    public long bootstrapSize() {
        return r.size();
    }

    /** The decoded inode {@code nid}. */
    public V6Inode inode(long nid) throws RafsFormatException {
        return V6Inode.read(r, metaBase, nid, sb);
    }

    /** Raw chunk index entries of a chunk-based regular file (empty for other layouts). */
    public List<ChunkIndexEntry> chunkIndexes(long nid) throws RafsException {
        V6Inode in = regular(nid);
        if (in.layout() != V6Inode.LAYOUT_CHUNK_BASED || in.size() == 0) {
            return List.of();
        }
        long cs = fileChunkSize(in);
        long count = (in.size() + cs - 1) / cs;
        long base = indexArray(in, count);
        List<ChunkIndexEntry> out = new ArrayList<>((int) count);
        for (long k = 0; k < count; k++) {
            out.add(entry(base + 8 * k));
        }
        return out;
    }

    // ---- RafsImage ----

    @Override
    public String name() {
        return r.name();
    }

    @Override
    public RafsVersion version() {
        return ext == null ? RafsVersion.EROFS : RafsVersion.V6;
    }

    @Override
    public long rootHandle() {
        return sb.rootNid();
    }

    @Override
    public long inodeCount() {
        return sb.inos();
    }

    @Override
    public long chunkSize() {
        return ext == null ? 0 : ext.chunkSize();
    }

    @Override
    public long flags() {
        return ext == null ? 0 : ext.flags();
    }

    @Override
    public Compression compression() {
        return compression;
    }

    @Override
    public DigestAlgorithm digestAlgorithm() {
        return digest;
    }

    @Override
    public List<BlobInfo> blobs() {
        return blobs;
    }

    @Override
    public List<Long> prefetchHandles() {
        return prefetch;
    }

    @Override
    public InodeAttributes stat(long handle) throws RafsFormatException {
        return inode(handle).attributes();
    }

    @Override
    public OptionalLong lookup(long dirHandle, byte[] name) throws RafsException {
        DirEntry d = directory(dirHandle).find(name);
        return d == null ? OptionalLong.empty() : OptionalLong.of(d.handle());
    }

    @Override
    public List<DirEntry> readDir(long dirHandle) throws RafsException {
        return directory(dirHandle).list();
    }

    private V6Directory directory(long nid) throws RafsException {
        V6Inode in = inode(nid);
        if (in.type() != FileType.DIRECTORY) {
            throw new WrongInodeTypeException(nid, in.type(), "readDir/lookup");
        }
        return new V6Directory(r, in, bs);
    }

    @Override
    public byte[] readLink(long handle) throws RafsException {
        V6Inode in = inode(handle);
        if (in.type() != FileType.SYMLINK) {
            throw new WrongInodeTypeException(handle, in.type(), "readLink");
        }
        if (in.size() > Math.min(bs, 4096)) {
            throw new RafsFormatException(r.name(), in.offset(), handle, "symlink target of " + in.size() + " bytes");
        }
        int len = (int) in.size();
        if (len == 0) {
            return new byte[0];
        }
        if (in.layout() == V6Inode.LAYOUT_FLAT_INLINE && len < bs) {
            return r.bytes(in.tailOffset(), len);
        }
        if (in.layout() == V6Inode.LAYOUT_CHUNK_BASED) {
            throw new RafsFormatException(r.name(), in.offset(), handle, "symlink with chunk-based layout");
        }
        return r.bytes(in.iu() * bs, len);
    }

    @Override
    public List<Xattr> xattrs(long handle) throws RafsFormatException {
        return V6Xattrs.read(r, inode(handle), sb);
    }

    @Override
    public List<ChunkRef> chunks(long handle, long offset, long length) throws RafsException {
        V6Inode in = regular(handle);
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length");
        }
        if (in.size() == 0 || offset >= in.size() || length == 0) {
            return List.of();
        }
        if (in.layout() != V6Inode.LAYOUT_CHUNK_BASED) {
            throw new UnsupportedRafsFeatureException(r.name(), in.offset(), handle,
                    "regular file data stored in the bootstrap (flat layout " + in.layout() + ")");
        }
        long cs = fileChunkSize(in);
        long count = (in.size() + cs - 1) / cs;
        long base = indexArray(in, count);
        long end = Math.min(in.size(), offset + Math.min(length, Long.MAX_VALUE - offset));
        long first = offset / cs;
        long last = (end - 1) / cs;
        List<ChunkRef> out = new ArrayList<>((int) Math.min(1024, last - first + 1));
        for (long k = first; k <= last; k++) {
            long at = base + 8 * k;
            out.add(chunkRef(in, entry(at), k, cs, at));
        }
        return out;
    }

    private V6Inode regular(long nid) throws RafsException {
        V6Inode in = inode(nid);
        if (in.type() != FileType.REGULAR) {
            throw new WrongInodeTypeException(nid, in.type(), "chunk mapping");
        }
        return in;
    }

    /** Chunk size for this file: the superblock's for RAFS (pitfall §10.3), the inode's for plain EROFS. */
    private long fileChunkSize(V6Inode in) throws RafsFormatException {
        int word = (int) (in.iu() & 0xFFFF);
        if ((word & 0x20) == 0) {
            throw new UnsupportedRafsFeatureException(r.name(), in.offset() + 16, in.nid(),
                    String.format("chunk format 0x%x without 8-byte indexes (EROFS block map)", word));
        }
        if (ext != null) {
            return ext.chunkSize();
        }
        int bits = sb.blkszbits() + (word & 0x1F);
        if (bits > 40) {
            throw new RafsFormatException(r.name(), in.offset() + 16, in.nid(), "chunk size 2^" + bits);
        }
        return 1L << bits;
    }

    private long indexArray(V6Inode in, long count) throws RafsFormatException {
        long base = in.chunkIndexOffset();
        if (count > r.size() / 8) {
            throw new RafsFormatException(r.name(), in.offset() + 8, in.nid(), "absurd file size " + in.size());
        }
        r.check(base, count * 8, "chunk index array of nid " + in.nid());
        return base;
    }

    private ChunkIndexEntry entry(long at) throws RafsFormatException {
        return new ChunkIndexEntry(r.u16(at), r.u16(at + 2), r.u32(at + 4));
    }

    private ChunkRef chunkRef(V6Inode in, ChunkIndexEntry e, long k, long cs, long at) throws RafsFormatException {
        long fileOffset = k * cs;
        long len = Math.min(cs, in.size() - fileOffset);
        int blob = e.blobIndex();
        if (ext == null) {
            if (e.blkaddr() == ChunkIndexEntry.NULL_ADDR) {
                return new ChunkRef(fileOffset, Math.max(blob, 0), "", -1, 0, 0, 0, len, false, null, true);
            }
            if (blob < 0 || blob >= blobs.size()) {
                throw new UnsupportedRafsFeatureException(r.name(), at, in.nid(),
                        "chunk on EROFS device " + (blob + 1) + " (image has " + blobs.size() + " blob devices)");
            }
            long addr = e.blkaddr() * bs;
            return new ChunkRef(fileOffset, blob, blobs.get(blob).blobId(), -1, addr, len, addr, len, false, null, false);
        }
        if (blob < 0 || blob >= blobs.size()) {
            throw new RafsFormatException(r.name(), at, in.nid(), "chunk names blob " + blob + " of " + blobs.size());
        }
        BlobInfo b = blobs.get(blob);
        long ci = e.ciIndex();
        if (ci >= b.chunkCount()) {
            throw new RafsFormatException(r.name(), at, in.nid(), "chunk index " + ci + " out of range (blob " + blob
                    + " has " + b.chunkCount() + " chunks)");
        }
        ChunkRecord rec = chunkTable.find(blob, ci);
        if (rec == null) {
            throw new RafsFormatException(r.name(), at, in.nid(), "chunk (blob " + blob + ", index " + ci + ") missing from the chunk table");
        }
        if (rec.uncompressedOffset() != e.blkaddr() * bs) {
            throw new RafsFormatException(r.name(), at, in.nid(), "chunk index says uncompressed offset "
                    + e.blkaddr() * bs + " but the chunk table says " + rec.uncompressedOffset());
        }
        if (rec.uncompressedSize() != len) {
            throw new RafsFormatException(r.name(), at, in.nid(), "chunk of " + rec.uncompressedSize()
                    + " bytes where the file needs " + len);
        }
        if ((rec.flags() & (ChunkRecord.FLAG_BATCH | ChunkRecord.FLAG_ENCRYPTED)) != 0) {
            throw new UnsupportedRafsFeatureException(r.name(), at, in.nid(), String.format("chunk flags 0x%x (batch/encrypted)", rec.flags()));
        }
        return new ChunkRef(fileOffset, blob, b.blobId(), ci, rec.compressedOffset(), rec.compressedSize(),
                rec.uncompressedOffset(), rec.uncompressedSize(), rec.compressed(), rec.digest(), false);
    }

    @Override
    public void close() {
        // The mapping is released by the garbage collector; nothing else is held.
    }

    @Override
    public String toString() {
        return "V6Image[" + r.name() + ", root " + sb.rootNid() + ", blobs " + blobs.size() + "]";
    }
}
