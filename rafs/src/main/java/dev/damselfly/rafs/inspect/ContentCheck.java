package dev.damselfly.rafs.inspect;

import dev.damselfly.rafs.ChunkDigestMismatchException;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.blob.FileContentReader;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Result of reading one regular file completely: SHA-256 of its content, whether every chunk matched its
 * digest, and whether the content length equals the inode size.
 *
 * @param sha256   lower-case hex SHA-256 of the file bytes
 * @param digestOk every chunk with a digest matched it
 * @param lengthOk total bytes read equal the inode size
 * @param chunks   number of chunks read
 */
public record ContentCheck(String sha256, boolean digestOk, boolean lengthOk, int chunks) {

    /** Reads file {@code handle} through {@code reader} (which must not verify, so mismatches are reported). */
    public static ContentCheck of(RafsImage image, FileContentReader verifying, long handle) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<ChunkRef> chunks = image.chunks(handle);
        boolean ok = true;
        long total = 0;
        for (ChunkRef c : chunks) {
            byte[] data;
            try {
                data = verifying.chunk(c);
            } catch (ChunkDigestMismatchException e) {
                ok = false;
                continue;
            }
            sha.update(data);
            total += data.length;
        }
        return new ContentCheck(HexFormat.of().formatHex(sha.digest()), ok, ok && total == image.stat(handle).size(),
                chunks.size());
    }
}
