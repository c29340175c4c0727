package dev.damselfly.rafs.blob;

import dev.damselfly.rafs.RafsFormatException;

/**
 * The 4096-byte blob-meta header right after the chunk-info array (§3.5). Sizes/offsets in bytes.
 */
public record BlobMetaHeader(long magic, long features, long ciCompressor, long ciEntries, long ciOffset,
                             long ciCompressedSize, long ciUncompressedSize, long ciZranOffset, long ciZranSize,
                             long ciZranCount, long magic2) {

    public static final int SIZE = 4096;
    public static final long MAGIC = 0xB10BB10BL;

    /** Parses a 4096-byte header; {@code input}/{@code offset} label errors. */
    public static BlobMetaHeader parse(byte[] b, String input, long offset) throws RafsFormatException {
        BlobMetaHeader h = new BlobMetaHeader(BlobReads.u32(b, 0), BlobReads.u32(b, 4), BlobReads.u32(b, 8),
                BlobReads.u32(b, 12), BlobReads.u64(b, 16), BlobReads.u64(b, 24), BlobReads.u64(b, 32),
                BlobReads.u64(b, 40), BlobReads.u64(b, 48), BlobReads.u32(b, 56), BlobReads.u32(b, 4092));
        if (h.magic != MAGIC || h.magic2 != MAGIC) {
            throw new RafsFormatException(input, offset, String.format("bad blob-meta header magic 0x%08x/0x%08x", h.magic, h.magic2));
        }
        return h;
    }
}
