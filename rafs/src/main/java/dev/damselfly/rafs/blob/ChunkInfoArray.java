package dev.damselfly.rafs.blob;

import dev.damselfly.rafs.RafsFormatException;

/** A decompressed chunk-info array: V1 (16-byte) or V2 (24-byte) entries in chunk-index order (§3.4). */
public final class ChunkInfoArray {
    private final String input;
    private final byte[] data;
    private final int count;
    private final boolean v2;

    /**
     * @param data  decompressed array bytes
     * @param count number of entries ({@code chunk_count})
     * @param v2    24-byte entries (blob feature CHUNK_INFO_V2)
     */
    public ChunkInfoArray(String input, byte[] data, long count, boolean v2) throws RafsFormatException {
        int es = v2 ? 24 : 16;
        if (count < 0 || count * es > data.length) {
            throw new RafsFormatException(input, RafsFormatException.UNKNOWN, count + " chunk-info entries do not fit "
                    + data.length + " bytes");
        }
        this.input = input;
        this.data = data;
        this.count = (int) count;
        this.v2 = v2;
    }

    public int size() {
        return count;
    }

    public boolean isV2() {
        return v2;
    }

    /** Entry {@code i}. */
    public ChunkInfo get(long i) throws RafsFormatException {
        if (i < 0 || i >= count) {
            throw new RafsFormatException(input, RafsFormatException.UNKNOWN, "chunk-info index " + i + " out of range (" + count + ")");
        }
        if (v2) {
            int o = (int) (i * 24);
            long u = BlobReads.u64(data, o);
            long c = BlobReads.u64(data, o + 8);
            int flags = (int) (u >>> 56);
            return new ChunkInfo(i, c & ((1L << 40) - 1), c >>> 40, (u & 0xFFFFFFFFL) * 4096,
                    ((u >>> 32) & 0xFFFFFF) + 1, (flags & 0x1) != 0, flags, BlobReads.u64(data, o + 16));
        }
        int o = (int) (i * 16);
        long u = BlobReads.u64(data, o);
        long c = BlobReads.u64(data, o + 8);
        long uoff = u & ((1L << 44) - 1) & ~0xFFFL;
        long usize = (((u >>> 44) & 0xFFFFF) | (((u >>> 8) & 0xF) << 20)) + 1;
        long coff = c & ((1L << 40) - 1);
        long csize = (((c >>> 44) & 0xFFFFF) | (((c >>> 40) & 0xF) << 20)) + 1;
        boolean compressed = csize != usize;
        return new ChunkInfo(i, coff, csize, uoff, usize, compressed, compressed ? 1 : 0, 0);
    }
}
