package dev.damselfly.rafs.blob;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The blob table of contents (§3.7): the last 512 bytes of the blob are a tar header {@code rafs.blob.toc}
 * whose {@code size} bytes of 128-byte entries precede it.
 *
 * @param entries   entries in stored order
 * @param offset    offset of the first entry in the blob
 * @param sha256    SHA-256 over entries + tar header (the blob table's {@code blob_toc_digest})
 */
public record BlobToc(List<TocEntry> entries, long offset, byte[] sha256) {

    public static final String TAR_NAME = "rafs.blob.toc";
    /** Largest TOC accepted: 1 MiB of entries. */
    public static final long MAX_SIZE = 1 << 20;

    /** Reads the TOC at the end of {@code blob}. */
    public static BlobToc read(BlobByteSource blob) throws IOException {
        long size = blob.size();
        if (size < TarHeader.SIZE) {
            throw new RafsFormatException(blob.name(), 0, "blob of " + size + " bytes has no room for a TOC");
        }
        long hOff = size - TarHeader.SIZE;
        byte[] hb = BlobReads.read(blob, hOff, TarHeader.SIZE, "TOC tar header");
        TarHeader h = TarHeader.parse(hb, blob.name(), hOff);
        if (!h.name().equals(TAR_NAME)) {
            throw new RafsFormatException(blob.name(), hOff, "last tar header is '" + h.name() + "', not " + TAR_NAME);
        }
        if (h.size() % TocEntry.SIZE != 0 || h.size() > MAX_SIZE || h.size() > hOff) {
            throw new RafsFormatException(blob.name(), hOff, "bad TOC size " + h.size());
        }
        long off = hOff - h.size();
        byte[] raw = BlobReads.read(blob, off, h.size(), "TOC entries");
        List<TocEntry> entries = new ArrayList<>();
        for (int p = 0; p < raw.length; p += TocEntry.SIZE) {
            int n = 0;
            while (n < 16 && raw[p + 8 + n] != 0) {
                n++;
            }
            entries.add(new TocEntry(BlobReads.u32(raw, p), new String(raw, p + 8, n, StandardCharsets.UTF_8),
                    Arrays.copyOfRange(raw, p + 24, p + 56), BlobReads.u64(raw, p + 56), BlobReads.u64(raw, p + 64),
                    BlobReads.u64(raw, p + 72)));
        }
        byte[] all = new byte[raw.length + hb.length];
        System.arraycopy(raw, 0, all, 0, raw.length);
        System.arraycopy(hb, 0, all, raw.length, hb.length);
        return new BlobToc(List.copyOf(entries), off, DigestAlgorithm.SHA256.digest(all));
    }

    public Optional<TocEntry> find(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }
}
