package dev.damselfly.rafs.v5;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.io.ByteRegion;

/** The 8192-byte RAFS v5 superblock at offset 0 (§2). Offsets absolute, sizes in bytes, counts in entries. */
public record V5Superblock(long magic, long version, long sbSize, long blockSize, long flags, long inodesCount,
                           long inodeTableOffset, long prefetchTableOffset, long blobTableOffset,
                           long inodeTableEntries, long prefetchTableEntries, long blobTableSize,
                           long extBlobTableEntries, long extBlobTableOffset) {

    /** {@code RAFS} magic as a little-endian u32. */
    public static final long MAGIC = 0x52414653L;
    public static final long VERSION = 0x500;
    public static final long SIZE = 0x2000;

    public static V5Superblock read(ByteRegion r) throws RafsFormatException {
        r.check(0, SIZE, "RAFS v5 superblock");
        V5Superblock sb = new V5Superblock(r.u32(0), r.u32(4), r.u32(8), r.u32(12), r.u64(16), r.u64(24), r.u64(32),
                r.u64(40), r.u64(48), r.u32(56), r.u32(60), r.u32(64), r.u32(68), r.u64(72));
        if (sb.magic != MAGIC) {
            throw new RafsFormatException(r.name(), 0, String.format("bad RAFS v5 magic 0x%08x", sb.magic));
        }
        if (sb.version != VERSION) {
            throw new RafsFormatException(r.name(), 4, String.format("unsupported RAFS version 0x%x", sb.version));
        }
        if (sb.sbSize != SIZE) {
            throw new RafsFormatException(r.name(), 8, "superblock size " + sb.sbSize);
        }
        return sb;
    }

    /** True when {@code r} starts with the v5 magic and version. */
    public static boolean detect(ByteRegion r) throws RafsFormatException {
        return r.size() >= 8 && r.u32(0) == MAGIC && r.u32(4) == VERSION;
    }
}
