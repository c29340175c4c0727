package dev.damselfly.rafs.blob;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkDigestMismatchException;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Reads regular-file bytes of an image chunk by chunk: maps the range to chunks, fetches each chunk's stored
 * bytes from the blob's {@link BlobByteSource}, decompresses and (optionally) verifies the chunk digest.
 * Stateless apart from its inputs; thread-safe if the sources are.
 */
public final class FileContentReader {
    private final RafsImage image;
    private final IntFunction<BlobByteSource> sources;
    private final boolean verify;

    /**
     * @param sources blob index → its bytes (may return null for blobs that are not available)
     * @param verify  check every chunk's digest (when the image has one) before returning its bytes
     */
    public FileContentReader(RafsImage image, IntFunction<BlobByteSource> sources, boolean verify) {
        this.image = image;
        this.sources = sources;
        this.verify = verify;
    }

    /** Up to {@code length} bytes of file {@code handle} at {@code offset} (fewer at end of file). */
    public byte[] read(long handle, long offset, int length) throws IOException {
        long size = image.stat(handle).size();
        if (offset >= size || length <= 0) {
            return new byte[0];
        }
        int n = (int) Math.min(length, size - offset);
        List<ChunkRef> chunks = image.chunks(handle, offset, n); // validates the size before we allocate
        byte[] out = new byte[n];
        for (ChunkRef c : chunks) {
            byte[] data = chunk(c);
            long from = Math.max(offset, c.fileOffset());
            long to = Math.min(offset + n, c.fileOffset() + c.uncompressedSize());
            System.arraycopy(data, (int) (from - c.fileOffset()), out, (int) (from - offset), (int) (to - from));
        }
        return out;
    }

    /** Writes the whole file to {@code out}, one chunk in memory at a time. */
    public void copyTo(long handle, OutputStream out) throws IOException {
        for (ChunkRef c : image.chunks(handle)) {
            out.write(chunk(c));
        }
    }

    /** The uncompressed, verified bytes of one chunk. */
    public byte[] chunk(ChunkRef c) throws IOException {
        if (c.hole()) {
            return new byte[(int) c.uncompressedSize()];
        }
        BlobByteSource src = sources.apply(c.blobIndex());
        if (src == null) {
            throw new RafsException("blob " + c.blobIndex() + " (" + c.blobId() + ") is not available");
        }
        if (c.uncompressedSize() > Compression.MAX_DECOMPRESSED || c.compressedSize() > Compression.MAX_DECOMPRESSED) {
            throw new RafsFormatException(image.name(), RafsFormatException.UNKNOWN, "absurd chunk size in " + c);
        }
        byte[] stored = BlobReads.read(src, c.compressedOffset(), c.compressedSize(), "chunk " + c.chunkIndex());
        BlobInfo blob = image.blobs().get(c.blobIndex());
        byte[] data = c.compressed()
                ? blob.compression().decompress(stored, (int) c.uncompressedSize(), src.name(), c.compressedOffset())
                : Compression.NONE.decompress(stored, (int) c.uncompressedSize(), src.name(), c.compressedOffset());
        if (verify && c.digest() != null) {
            DigestAlgorithm alg = blob.digestAlgorithm() != null ? blob.digestAlgorithm() : image.digestAlgorithm();
            byte[] actual = alg.digest(data);
            if (!Arrays.equals(actual, c.digest())) {
                throw new ChunkDigestMismatchException(src.name(), c, c.digestHex(), HexFormat.of().formatHex(actual));
            }
        }
        return data;
    }

    /** Convenience: all chunks of a file, in order. */
    public List<ChunkRef> chunksOf(long handle) throws RafsException {
        return image.chunks(handle);
    }
}
