package dev.damselfly.rafs.v6;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.io.ByteRegion;

/**
 * The 128-byte EROFS superblock at file offset {@link #OFFSET} (§1.2). Field units: block counts and block
 * addresses in units of {@code 1 << blkszbits} bytes, times in seconds/nanoseconds.
 */
public record ErofsSuperblock(long magic, long checksum, long featureCompat, int blkszbits, int extslots,
                              int rootNid, long inos, long buildTime, long buildTimeNsec, long blocks,
                              long metaBlkaddr, long xattrBlkaddr, byte[] uuid, byte[] volumeName,
                              long featureIncompat, int union, int extraDevices, int devtSlotoff) {

    /** File offset of the superblock: 1024. */
    public static final long OFFSET = 1024;
    /** EROFS magic {@code 0xE0F5E1E2}. */
    public static final long MAGIC = 0xE0F5E1E2L;
    /** feature_compat bit marking a nydus RAFS v6 bootstrap. */
    public static final long COMPAT_RAFS_V6 = 0x40000000L;
    /** feature_incompat: chunked files. */
    public static final long INCOMPAT_CHUNKED_FILE = 0x4;
    /** feature_incompat: device table. */
    public static final long INCOMPAT_DEVICE_TABLE = 0x8;

    /** Parses the superblock; checks only the magic and the fields needed to address anything. */
    public static ErofsSuperblock read(ByteRegion r) throws RafsFormatException {
        long o = OFFSET;
        r.check(o, 128, "EROFS superblock");
        long magic = r.u32(o);
        if (magic != MAGIC) {
            throw new RafsFormatException(r.name(), o, String.format("bad EROFS magic 0x%08x", magic));
        }
        return new ErofsSuperblock(magic, r.u32(o + 4), r.u32(o + 8), r.u8(o + 12), r.u8(o + 13), r.u16(o + 14),
                r.u64(o + 16), r.u64(o + 24), r.u32(o + 32), r.u32(o + 36), r.u32(o + 40), r.u32(o + 44),
                r.bytes(o + 48, 16), r.bytes(o + 64, 16), r.u32(o + 80), r.u16(o + 84), r.u16(o + 86), r.u16(o + 88));
    }

    public boolean isRafs() {
        return (featureCompat & COMPAT_RAFS_V6) != 0;
    }

    /** Block size in bytes. */
    public int blockSize() {
        return 1 << blkszbits;
    }
}
