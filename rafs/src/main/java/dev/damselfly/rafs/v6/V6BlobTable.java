package dev.damselfly.rafs.v6;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.UnsupportedRafsFeatureException;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import dev.damselfly.rafs.io.ByteRegion;
import java.util.ArrayList;
import java.util.List;

/** Parses and validates the RAFS v6 blob table (256-byte entries, §1.5). */
final class V6BlobTable {
    static final int ENTRY_SIZE = 256;
    /** Blob feature bits a v6 table must not carry. */
    private static final long REJECTED_FEATURES = 0xF000L | 0x80000000L;
    private static final long MAX_CHUNKS = 1L << 24;

    private V6BlobTable() {
    }

    static List<BlobInfo> read(ByteRegion r, long offset, long size, long chunkSize) throws RafsFormatException {
        if (size % ENTRY_SIZE != 0) {
            throw new RafsFormatException(r.name(), offset, "blob table size " + size + " is not a multiple of 256");
        }
        r.check(offset, size, "blob table");
        int n = (int) (size / ENTRY_SIZE);
        if (n > 255) {
            throw new RafsFormatException(r.name(), offset, n + " blobs (at most 255 are addressable)");
        }
        List<BlobInfo> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(entry(r, offset + (long) i * ENTRY_SIZE, i, chunkSize));
        }
        return List.copyOf(out);
    }

    private static BlobInfo entry(ByteRegion r, long o, int position, long chunkSize) throws RafsFormatException {
        String id = DeviceSlot.cString(r.bytes(o, 64));
        long index = r.u32(o + 64);
        if (index != position) {
            throw new RafsFormatException(r.name(), o + 64, "blob entry " + position + " says index " + index);
        }
        long cs = r.u32(o + 68);
        if (cs != chunkSize) {
            throw new RafsFormatException(r.name(), o + 68, "blob chunk size " + cs + " differs from superblock " + chunkSize);
        }
        long chunkCount = r.u32(o + 72);
        if (chunkCount > MAX_CHUNKS) {
            throw new RafsFormatException(r.name(), o + 72, "absurd chunk count " + chunkCount);
        }
        Compression comp = Compression.ofCode(r.u32(o + 76));
        if (comp == null) {
            throw new UnsupportedRafsFeatureException(r.name(), o + 76, "compression algorithm " + r.u32(o + 76));
        }
        DigestAlgorithm digest = DigestAlgorithm.ofCode(r.u32(o + 80));
        if (digest == null) {
            throw new UnsupportedRafsFeatureException(r.name(), o + 80, "digest algorithm " + r.u32(o + 80));
        }
        long features = r.u32(o + 84);
        if ((features & REJECTED_FEATURES) != 0) {
            throw new UnsupportedRafsFeatureException(r.name(), o + 84, String.format("blob features 0x%x", features));
        }
        long compressedSize = r.u64(o + 88);
        long uncompressedSize = r.u64(o + 96);
        if (compressedSize < 0 || compressedSize > (1L << 40) || uncompressedSize < 0 || uncompressedSize > (1L << 44)) {
            throw new RafsFormatException(r.name(), o + 88, "absurd blob sizes " + compressedSize + "/" + uncompressedSize);
        }
        Compression ciComp = Compression.ofCode(r.u32(o + 108));
        if (ciComp == null) {
            throw new UnsupportedRafsFeatureException(r.name(), o + 108, "chunk-info compressor " + r.u32(o + 108));
        }
        long ciOffset = r.u64(o + 112);
        long ciCompressed = r.u64(o + 120);
        long ciUncompressed = r.u64(o + 128);
        if (ciOffset < 0 || ciCompressed < 0 || ciUncompressed < 0 || ciCompressed > ciUncompressed) {
            throw new RafsFormatException(r.name(), o + 112, "inconsistent chunk-info sizes " + ciCompressed + "/" + ciUncompressed);
        }
        return new BlobInfo(position, id, cs, chunkCount, comp, digest, features, compressedSize, uncompressedSize,
                r.u32(o + 104), ciComp, ciOffset, ciCompressed, ciUncompressed, r.bytes(o + 136, 32),
                r.bytes(o + 168, 32), r.u64(o + 200), r.u64(o + 208), r.u32(o + 216));
    }
}
