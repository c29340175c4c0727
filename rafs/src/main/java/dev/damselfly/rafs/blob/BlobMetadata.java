package dev.damselfly.rafs.blob;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.UnsupportedRafsFeatureException;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A blob's own metadata as described by a v6 blob table entry: the chunk-info array, its 4 KiB header and,
 * when present, the chunk digest array and the TOC.
 *
 * @param header  blob-meta header (validated against the blob table entry)
 * @param chunks  decoded chunk-info array
 * @param digests chunk digest array (32 bytes × chunk count, CI order), or null if the blob has none
 * @param toc     the TOC, if the blob has one
 */
public record BlobMetadata(BlobMetaHeader header, ChunkInfoArray chunks, byte[] digests, Optional<BlobToc> toc) {

    /** Reads and cross-checks the metadata of {@code info}'s blob from {@code blob}. */
    public static BlobMetadata read(BlobInfo info, BlobByteSource blob) throws IOException {
        String in = blob.name();
        if (info.has(BlobInfo.FEATURE_ENCRYPTED)) {
            throw new UnsupportedRafsFeatureException(in, info.ciOffset(), "encrypted blob metadata");
        }
        byte[] raw = BlobReads.read(blob, info.ciOffset(), info.ciCompressedSize(), "chunk-info array");
        long hOff = info.ciOffset() + info.ciCompressedSize();
        BlobMetaHeader h = BlobMetaHeader.parse(BlobReads.read(blob, hOff, BlobMetaHeader.SIZE, "blob-meta header"), in, hOff);
        if (h.ciEntries() != info.chunkCount() || h.ciCompressor() != info.ciCompressor().code()
                || h.ciOffset() != info.ciOffset() || h.ciCompressedSize() != info.ciCompressedSize()
                || h.ciUncompressedSize() != info.ciUncompressedSize()) {
            throw new RafsFormatException(in, hOff, "blob-meta header " + h + " does not match the blob table entry");
        }
        if (info.ciUncompressedSize() > Integer.MAX_VALUE) {
            throw new RafsFormatException(in, info.ciOffset(), "absurd chunk-info size " + info.ciUncompressedSize());
        }
        byte[] ci = info.ciCompressor().decompress(raw, (int) info.ciUncompressedSize(), in, info.ciOffset());
        boolean v2 = info.has(BlobInfo.FEATURE_CHUNK_INFO_V2);
        long need = info.chunkCount() * (v2 ? 24 : 16);
        boolean extra = info.has(BlobInfo.FEATURE_BATCH) || info.has(BlobInfo.FEATURE_ZRAN);
        if (extra ? ci.length < need : ci.length != need) {
            throw new RafsFormatException(in, info.ciOffset(), "chunk-info array of " + ci.length + " bytes for "
                    + info.chunkCount() + (v2 ? " V2" : " V1") + " entries");
        }
        ChunkInfoArray array = new ChunkInfoArray(in, ci, info.chunkCount(), v2);
        Optional<BlobToc> toc = Optional.empty();
        byte[] digests = null;
        if (info.has(BlobInfo.FEATURE_HAS_TOC)) {
            BlobToc t = BlobToc.read(blob);
            toc = Optional.of(t);
            Optional<TocEntry> d = t.find("blob.digest");
            if (d.isPresent()) {
                long len = info.chunkCount() * DigestAlgorithm.LENGTH;
                TocEntry e = d.get();
                if (e.compressedSize() != len || e.uncompressedSize() != len) {
                    throw new RafsFormatException(in, t.offset(), "blob.digest entry of " + e.compressedSize()
                            + " bytes, expected " + len);
                }
                digests = BlobReads.read(blob, e.compressedOffset(), len, "chunk digest array");
                byte[] sha = DigestAlgorithm.SHA256.digest(digests);
                if (!Arrays.equals(sha, e.digest())) {
                    throw new RafsFormatException(in, e.compressedOffset(), "chunk digest array does not match its TOC digest");
                }
            }
        }
        return new BlobMetadata(h, array, digests, toc);
    }

    /**
     * The blob's own view of a chunk the bootstrap mapped (nydusd reads chunk locations from the CI array,
     * pitfall §10.13): compressed offset/size and flag from the CI entry, digest from the digest array when
     * the blob has one (else the bootstrap's). The uncompressed offset and size must agree with the bootstrap.
     */
    public ChunkRef locate(ChunkRef ref, String input) throws RafsFormatException {
        ChunkInfo ci = chunks.get(ref.chunkIndex());
        if (ci.uncompressedOffset() != ref.uncompressedOffset() || ci.uncompressedSize() != ref.uncompressedSize()) {
            throw new RafsFormatException(input, RafsFormatException.UNKNOWN, "chunk-info entry " + ci
                    + " disagrees with the bootstrap's " + ref);
        }
        if ((ci.flags() & 0x0E) != 0 && chunks.isV2()) {
            throw new UnsupportedRafsFeatureException(input, RafsFormatException.UNKNOWN,
                    String.format("chunk-info flags 0x%x (zran/batch/encrypted)", ci.flags()));
        }
        byte[] d = digest(ref.chunkIndex());
        return new ChunkRef(ref.fileOffset(), ref.blobIndex(), ref.blobId(), ref.chunkIndex(),
                ci.compressedOffset(), ci.compressedSize(), ci.uncompressedOffset(), ci.uncompressedSize(),
                ci.compressed(), d != null ? d : ref.digest(), false);
    }

    /** Digest of chunk {@code ci} from the digest array, or null. */
    public byte[] digest(long ci) {
        if (digests == null || ci < 0 || ci >= digests.length / DigestAlgorithm.LENGTH) {
            return null;
        }
        int o = (int) ci * DigestAlgorithm.LENGTH;
        return Arrays.copyOfRange(digests, o, o + DigestAlgorithm.LENGTH);
    }
}
