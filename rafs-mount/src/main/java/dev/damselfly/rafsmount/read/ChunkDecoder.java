package dev.damselfly.rafsmount.read;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkDigestMismatchException;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ForkJoinPool;

/**
 * Turns a chunk's stored bytes into its file bytes: decompress, then check the digest from the bootstrap. Large
 * BLAKE3 chunks are hashed as two subtrees, one on the common fork-join pool, to shorten the wait of the read
 * that needs them.
 */
final class ChunkDecoder {
    private final RafsImage image;

    ChunkDecoder(RafsImage image) {
        this.image = image;
    }

    /**
     * @param source name of the source that delivered {@code stored} (for the error)
     * @throws ChunkDigestMismatchException when the decompressed bytes do not match the chunk digest
     * @throws RafsException                when the bytes do not decompress to the chunk's size
     */
    byte[] decode(ChunkRef c, byte[] stored, String source) throws RafsException {
        BlobInfo blob = image.blobs().get(c.blobIndex());
        Compression comp = c.compressed() ? blob.compression() : Compression.NONE;
        byte[] data = comp.decompress(stored, (int) c.uncompressedSize(), source + " blob " + c.blobId(), c.compressedOffset());
        verify(c, data, source);
        return data;
    }

    /** Checks {@code data} against the chunk's digest (no-op when the image has none, e.g. plain EROFS). */
    void verify(ChunkRef c, byte[] data, String source) throws ChunkDigestMismatchException {
        if (c.digest() == null) {
            return;
        }
        BlobInfo blob = image.blobs().get(c.blobIndex());
        DigestAlgorithm alg = blob.digestAlgorithm() != null ? blob.digestAlgorithm() : image.digestAlgorithm();
        if (alg == null) {
            return;
        }
        byte[] actual = alg.digest(data, 0, data.length, ForkJoinPool.commonPool());
        if (!Arrays.equals(actual, c.digest())) {
            throw new ChunkDigestMismatchException(source, c, c.digestHex(), HexFormat.of().formatHex(actual));
        }
    }
}
