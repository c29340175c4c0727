package dev.damselfly.rafs.v6;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.io.ByteRegion;

/** The 256-byte nydus extended superblock at {@link #OFFSET} (§1.3). Offsets absolute, sizes in bytes. */
public record RafsV6ExtSuperblock(long flags, long blobTableOffset, long blobTableSize, long chunkSize,
                                  long chunkTableOffset, long chunkTableSize, long prefetchTableOffset,
                                  long prefetchTableSize) {

    public static final long OFFSET = 1152;

    public static RafsV6ExtSuperblock read(ByteRegion r) throws RafsFormatException {
        long o = OFFSET;
        r.check(o, 256, "RAFS v6 extended superblock");
        return new RafsV6ExtSuperblock(r.u64(o), r.u64(o + 8), r.u32(o + 16), r.u32(o + 20), r.u64(o + 24),
                r.u64(o + 32), r.u64(o + 40), r.u32(o + 48));
    }
}
