package dev.damselfly.rafs.v5;

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
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import dev.damselfly.rafs.io.ByteRegion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * A RAFS v5 bootstrap, read-only. Handles are 1-based inode-table indexes; each hard-link name has its own
 * record (same {@code ino}). Directory children are the consecutive handles
 * {@code childIndex … childIndex + childCount − 1}, sorted by name.
 */
public final class V5Image implements RafsImage {
    private static final long KNOWN_FLAGS = 0x3FFL | 0xFF000000L;
    /** Most entries in any v5 table we accept: 2^26 (keeps corrupt counts from allocating gigabytes). */
    private static final long MAX_ENTRIES = 1L << 26;

    private final ByteRegion r;
    private final V5Superblock sb;
    private final List<V5BlobEntry> blobEntries;
    private final List<BlobInfo> blobs;
    private final List<Long> prefetch;
    private final Compression compression;
    private final DigestAlgorithm digest;

    private V5Image(ByteRegion r, V5Superblock sb, List<V5BlobEntry> blobEntries, List<BlobInfo> blobs,
                    List<Long> prefetch, Compression compression, DigestAlgorithm digest) {
        this.r = r;
        this.sb = sb;
        this.blobEntries = blobEntries;
        this.blobs = blobs;
        this.prefetch = prefetch;
        this.compression = compression;
        this.digest = digest;
    }

    public static V5Image open(ByteRegion r) throws RafsFormatException {
        V5Superblock sb = V5Superblock.read(r);
        String in = r.name();
        if ((sb.flags() & ~KNOWN_FLAGS) != 0) {
            throw new UnsupportedRafsFeatureException(in, 16, String.format("RAFS flags 0x%x", sb.flags()));
        }
        if ((sb.flags() & 0x02000000L) != 0) {
            throw new UnsupportedRafsFeatureException(in, 16, "encrypted chunks");
        }
        Compression comp = Compression.ofSuperblockFlags(sb.flags());
        DigestAlgorithm dig = DigestAlgorithm.ofSuperblockFlags(sb.flags());
        if (comp == null || dig == null) {
            throw new RafsFormatException(in, 16, String.format("flags 0x%x must name one compression and one digest", sb.flags()));
        }
        long bsz = sb.blockSize();
        if (Long.bitCount(bsz) != 1 || bsz < 4096 || bsz > (16 << 20)) {
            throw new RafsFormatException(in, 12, "chunk size " + bsz + " is not a power of two in [4 KiB, 16 MiB]");
        }
        if (sb.inodeTableEntries() == 0 || sb.inodeTableEntries() > MAX_ENTRIES) {
            throw new RafsFormatException(in, 56, "inode table entries " + sb.inodeTableEntries());
        }
        r.check(sb.inodeTableOffset(), sb.inodeTableEntries() * 4, "inode table");
        // blob table: {u32 readahead_offset, u32 readahead_size, id} separated by NUL
        List<long[]> ra = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        long p = sb.blobTableOffset();
        long end = p + sb.blobTableSize();
        r.check(p, sb.blobTableSize(), "blob table");
        while (p + 8 < end) {
            long raOff = r.u32(p);
            long raSize = r.u32(p + 8 - 4);
            long s = p + 8;
            long e = s;
            while (e < end && r.u8(e) != 0) {
                e++;
            }
            if (e == s) {
                break;
            }
            ra.add(new long[] {raOff, raSize});
            ids.add(new String(r.bytes(s, e - s), StandardCharsets.ISO_8859_1));
            p = e + 1;
            if (ids.size() > 255) {
                throw new RafsFormatException(in, sb.blobTableOffset(), "more than 255 blobs");
            }
        }
        if (sb.extBlobTableEntries() > 255) {
            throw new RafsFormatException(in, 68, "extended blob table entries " + sb.extBlobTableEntries());
        }
        if (sb.extBlobTableEntries() > 0) {
            r.check(sb.extBlobTableOffset(), sb.extBlobTableEntries() * 64, "extended blob table");
        }
        List<V5BlobEntry> entries = new ArrayList<>();
        List<BlobInfo> blobs = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            long cc = 0;
            long feat = 0;
            long usz = 0;
            long csz = 0;
            if (i < sb.extBlobTableEntries()) {
                long o = sb.extBlobTableOffset() + 64L * i;
                cc = r.u32(o);
                feat = r.u32(o + 4);
                usz = r.u64(o + 8);
                csz = r.u64(o + 16);
            }
            entries.add(new V5BlobEntry(ra.get(i)[0], ra.get(i)[1], ids.get(i), cc, feat, usz, csz));
            blobs.add(new BlobInfo(i, ids.get(i), bsz, cc, comp, dig, feat, csz, usz, 0, Compression.NONE, 0, 0, 0,
                    new byte[32], new byte[32], 0, 0, 0));
        }
        List<Long> prefetch = new ArrayList<>();
        if (sb.prefetchTableEntries() > 0) {
            if (sb.prefetchTableEntries() > MAX_ENTRIES) {
                throw new RafsFormatException(in, 60, "prefetch entries " + sb.prefetchTableEntries());
            }
            r.check(sb.prefetchTableOffset(), sb.prefetchTableEntries() * 4, "prefetch table");
            for (long i = 0; i < sb.prefetchTableEntries(); i++) {
                long ino = r.u32(sb.prefetchTableOffset() + 4 * i);
                if (ino == 0) {
                    break;
                }
                prefetch.add(ino);
            }
        }
        V5Image image = new V5Image(r, sb, List.copyOf(entries), List.copyOf(blobs), List.copyOf(prefetch), comp, dig);
        if (image.inode(1).type() != FileType.DIRECTORY) {
            throw new RafsFormatException(in, image.inode(1).offset(), 1, "root inode is not a directory");
        }
        return image;
    }

    public V5Superblock superblock() {
        return sb;
    }

    public List<V5BlobEntry> blobEntries() {
        return blobEntries;
    }

    /** The record with handle {@code handle} (1-based inode-table index). */
    public V5Inode inode(long handle) throws RafsFormatException {
        if (handle < 1 || handle > sb.inodeTableEntries()) {
            throw new RafsFormatException(r.name(), RafsFormatException.UNKNOWN, handle,
                    "inode handle out of range (table has " + sb.inodeTableEntries() + ")");
        }
        long at = sb.inodeTableOffset() + 4 * (handle - 1);
        long off = r.u32(at) * 8;
        if (off == 0) {
            throw new RafsFormatException(r.name(), at, handle, "inode table entry is empty");
        }
        return V5Inode.read(r, handle, off);
    }

    /** Name of a record (its last path component; empty for the root). */
    public byte[] nameOf(V5Inode in) throws RafsFormatException {
        return r.bytes(in.nameOffset(), in.nameSize());
    }

    @Override
    public String name() {
        return r.name();
    }

    @Override
    public RafsVersion version() {
        return RafsVersion.V5;
    }

    @Override
    public long rootHandle() {
        return 1;
    }

    @Override
    public long inodeCount() {
        return sb.inodesCount();
    }

    @Override
    public long chunkSize() {
        return sb.blockSize();
    }

    @Override
    public long flags() {
        return sb.flags();
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

    private V5Inode directory(long handle) throws RafsException {
        V5Inode d = inode(handle);
        if (d.type() != FileType.DIRECTORY) {
            throw new WrongInodeTypeException(handle, d.type(), "readDir/lookup");
        }
        if (d.childCount() > 0 && (d.childIndex() < 1 || d.childIndex() + d.childCount() - 1 > sb.inodeTableEntries())) {
            throw new RafsFormatException(r.name(), d.offset() + 92, handle, "children " + d.childIndex() + "+"
                    + d.childCount() + " outside the inode table");
        }
        return d;
    }

    @Override
    public OptionalLong lookup(long dirHandle, byte[] name) throws RafsException {
        V5Inode d = directory(dirHandle);
        if (Arrays.equals(name, new byte[] {'.'})) {
            return OptionalLong.of(dirHandle);
        }
        if (Arrays.equals(name, new byte[] {'.', '.'})) {
            return OptionalLong.of(dirHandle == 1 ? 1 : parentHandle(d));
        }
        long lo = d.childIndex();
        long hi = d.childIndex() + d.childCount() - 1;
        while (d.childCount() > 0 && lo <= hi) {
            long mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(name, nameOf(inode(mid)));
            if (c == 0) {
                return OptionalLong.of(mid);
            }
            if (c < 0) {
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        return OptionalLong.empty();
    }

    private long parentHandle(V5Inode d) {
        return d.parent() == 0 ? 1 : d.parent();
    }

    @Override
    public List<DirEntry> readDir(long dirHandle) throws RafsException {
        V5Inode d = directory(dirHandle);
        List<DirEntry> out = new ArrayList<>((int) Math.min(d.childCount(), 4096));
        for (long h = d.childIndex(); h < d.childIndex() + d.childCount(); h++) {
            V5Inode c = inode(h);
            byte[] name = nameOf(c);
            if (name.length == 0 || name.length > 255) {
                throw new RafsFormatException(r.name(), c.offset() + 100, h, "bad name length " + name.length);
            }
            out.add(new DirEntry(name, h, c.type()));
        }
        return out;
    }

    @Override
    public byte[] readLink(long handle) throws RafsException {
        V5Inode in = inode(handle);
        if (in.type() != FileType.SYMLINK) {
            throw new WrongInodeTypeException(handle, in.type(), "readLink");
        }
        return r.bytes(in.symlinkOffset(), in.symlinkSize());
    }

    @Override
    public List<Xattr> xattrs(long handle) throws RafsException {
        V5Inode in = inode(handle);
        if ((in.flags() & V5Inode.FLAG_XATTR) == 0) {
            return List.of();
        }
        long base = in.afterSymlink();
        long total = r.u64(base);
        if (total < 0 || total > r.size()) {
            throw new RafsFormatException(r.name(), base, handle, "xattr area of " + total + " bytes");
        }
        r.check(base + 8, total, "xattr area");
        List<Xattr> out = new ArrayList<>();
        long p = base + 8;
        long end = p + total;
        while (p + 4 <= end) {
            long size = r.u32(p);
            if (size == 0 || p + 4 + size > end) {
                throw new RafsFormatException(r.name(), p, handle, "xattr pair of " + size + " bytes overflows the area");
            }
            byte[] pair = r.bytes(p + 4, size);
            int nul = 0;
            while (nul < pair.length && pair[nul] != 0) {
                nul++;
            }
            if (nul == pair.length) {
                throw new RafsFormatException(r.name(), p, handle, "xattr pair without NUL separator");
            }
            out.add(new Xattr(Arrays.copyOf(pair, nul), Arrays.copyOfRange(pair, nul + 1, pair.length)));
            p += 4 + size;
        }
        return out;
    }

    /** Offset of the first 80-byte chunk record of a regular file. */
    private long chunkBase(V5Inode in) throws RafsFormatException {
        long p = in.afterSymlink();
        if ((in.flags() & V5Inode.FLAG_XATTR) != 0) {
            long total = r.u64(p);
            if (total < 0 || total > r.size()) {
                throw new RafsFormatException(r.name(), p, in.handle(), "xattr area of " + total + " bytes");
            }
            p += 8 + V5Inode.align8(total);
        }
        return p;
    }

    /** Raw chunk records of a regular file, in file order. */
    public List<ChunkRecord> chunkRecords(long handle) throws RafsException {
        V5Inode in = regular(handle);
        long base = chunkBase(in);
        long n = in.childCount();
        if (n > r.size() / ChunkRecord.SIZE) {
            throw new RafsFormatException(r.name(), in.offset() + 96, handle, "absurd chunk count " + n);
        }
        r.check(base, n * ChunkRecord.SIZE, "chunk records of inode " + handle);
        List<ChunkRecord> out = new ArrayList<>((int) n);
        for (long i = 0; i < n; i++) {
            out.add(ChunkRecord.read(r, base + i * ChunkRecord.SIZE));
        }
        return out;
    }

    private V5Inode regular(long handle) throws RafsException {
        V5Inode in = inode(handle);
        if (in.type() != FileType.REGULAR) {
            throw new WrongInodeTypeException(handle, in.type(), "chunk mapping");
        }
        return in;
    }

    @Override
    public List<ChunkRef> chunks(long handle, long offset, long length) throws RafsException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length");
        }
        V5Inode in = regular(handle);
        if (in.size() == 0 || offset >= in.size() || length == 0) {
            return List.of();
        }
        long cs = sb.blockSize();
        long expected = (in.size() + cs - 1) / cs;
        if (in.childCount() != expected) {
            throw new RafsFormatException(r.name(), in.offset() + 96, handle,
                    in.childCount() + " chunk records for a file of " + in.size() + " bytes (expected " + expected + ")");
        }
        long base = chunkBase(in);
        r.check(base, expected * ChunkRecord.SIZE, "chunk records of inode " + handle);
        long end = Math.min(in.size(), offset + Math.min(length, Long.MAX_VALUE - offset));
        List<ChunkRef> out = new ArrayList<>();
        for (long k = offset / cs; k <= (end - 1) / cs; k++) {
            long at = base + k * ChunkRecord.SIZE;
            ChunkRecord c = ChunkRecord.read(r, at);
            long fileOffset = k * cs;
            long len = Math.min(cs, in.size() - fileOffset);
            if (c.blobIndex() >= blobs.size()) {
                throw new RafsFormatException(r.name(), at + 32, handle, "chunk names blob " + c.blobIndex() + " of " + blobs.size());
            }
            if (c.uncompressedSize() != len) {
                throw new RafsFormatException(r.name(), at + 44, handle, "chunk of " + c.uncompressedSize()
                        + " bytes where the file needs " + len);
            }
            if (c.fileOffset() != fileOffset) {
                throw new RafsFormatException(r.name(), at + 64, handle, "chunk file offset " + c.fileOffset()
                        + ", expected " + fileOffset);
            }
            BlobInfo b = blobs.get((int) c.blobIndex());
            out.add(new ChunkRef(fileOffset, b.index(), b.blobId(), c.index(), c.compressedOffset(), c.compressedSize(),
                    c.uncompressedOffset(), c.uncompressedSize(), c.compressed(), c.digest(), false));
        }
        return out;
    }

    @Override
    public void close() {
        // nothing held but the mapping
    }
}
