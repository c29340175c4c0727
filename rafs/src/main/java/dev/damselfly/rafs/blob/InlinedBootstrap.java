package dev.damselfly.rafs.blob;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.UnsupportedRafsFeatureException;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Extracts the per-layer bootstrap ({@code image.boot}) inlined in a layer blob (§3.8), so a layer blob
 * alone is enough to read that layer. Found through the TOC when there is one (then decompressed and
 * checked against the TOC's SHA-256), otherwise by walking the tar headers backwards from the end.
 */
public final class InlinedBootstrap {
    /** Section name of the inlined bootstrap. */
    public static final String NAME = "image.boot";
    /** Largest inlined bootstrap accepted: 512 MiB. */
    public static final long MAX_SIZE = Compression.MAX_DECOMPRESSED;

    private InlinedBootstrap() {
    }

    /** The bootstrap bytes inside {@code blob}. */
    public static byte[] extract(BlobByteSource blob) throws IOException {
        Optional<BlobToc> toc = tryToc(blob);
        if (toc.isPresent()) {
            Optional<TocEntry> e = toc.get().find(NAME);
            if (e.isEmpty()) {
                throw new RafsFormatException(blob.name(), toc.get().offset(), "TOC has no " + NAME + " entry");
            }
            return fromToc(blob, e.get());
        }
        return byTarWalk(blob);
    }

    /** Extracts and opens the inlined bootstrap; errors are labelled {@code <blob>!image.boot}. */
    public static RafsImage open(BlobByteSource blob) throws IOException {
        return RafsImages.open(blob.name() + "!" + NAME, extract(blob));
    }

    private static Optional<BlobToc> tryToc(BlobByteSource blob) throws IOException {
        if (blob.size() < TarHeader.SIZE) {
            throw new RafsFormatException(blob.name(), 0, "blob of " + blob.size() + " bytes has no tar trailer");
        }
        TarHeader last = TarHeader.parse(BlobReads.read(blob, blob.size() - TarHeader.SIZE, TarHeader.SIZE, "last tar header"),
                blob.name(), blob.size() - TarHeader.SIZE);
        return last.name().equals(BlobToc.TAR_NAME) ? Optional.of(BlobToc.read(blob)) : Optional.empty();
    }

    private static byte[] fromToc(BlobByteSource blob, TocEntry e) throws IOException {
        if (e.uncompressedSize() > MAX_SIZE || e.compressedSize() > MAX_SIZE) {
            throw new RafsFormatException(blob.name(), e.compressedOffset(), "absurd " + NAME + " size " + e.uncompressedSize());
        }
        byte[] stored = BlobReads.read(blob, e.compressedOffset(), e.compressedSize(), NAME);
        long kind = e.flags() & 0xF;
        Compression c;
        if (kind == TocEntry.FLAG_NONE) {
            c = Compression.NONE;
        } else if (kind == TocEntry.FLAG_ZSTD) {
            c = Compression.ZSTD;
        } else if (kind == TocEntry.FLAG_LZ4) {
            c = Compression.LZ4_BLOCK;
        } else {
            throw new UnsupportedRafsFeatureException(blob.name(), e.compressedOffset(), "TOC compression flags 0x" + Long.toHexString(e.flags()));
        }
        byte[] boot = c.decompress(stored, (int) e.uncompressedSize(), blob.name(), e.compressedOffset());
        byte[] sha = DigestAlgorithm.SHA256.digest(boot);
        if (!Arrays.equals(sha, e.digest())) {
            throw new RafsFormatException(blob.name(), e.compressedOffset(), NAME + " does not match its TOC digest "
                    + e.digestHex());
        }
        return boot;
    }

    private static byte[] byTarWalk(BlobByteSource blob) throws IOException {
        long end = blob.size();
        while (end >= TarHeader.SIZE) {
            long hOff = end - TarHeader.SIZE;
            TarHeader h = TarHeader.parse(BlobReads.read(blob, hOff, TarHeader.SIZE, "tar header"), blob.name(), hOff);
            if (h.size() > hOff) {
                throw new RafsFormatException(blob.name(), hOff, "tar section '" + h.name() + "' of " + h.size()
                        + " bytes runs before the start of the blob");
            }
            long data = hOff - h.size();
            if (h.name().equals(NAME)) {
                if (h.size() > MAX_SIZE) {
                    throw new RafsFormatException(blob.name(), hOff, "absurd " + NAME + " size " + h.size());
                }
                return BlobReads.read(blob, data, h.size(), NAME);
            }
            end = data;
        }
        throw new RafsFormatException(blob.name(), 0, "no " + NAME + " section in the blob");
    }
}
