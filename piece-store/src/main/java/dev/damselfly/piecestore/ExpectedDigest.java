package dev.damselfly.piecestore;

import java.security.MessageDigest;

/** A parsed expected piece digest: a CRC-32, a SHA-256, or neither (store without a check). */
record ExpectedDigest(Integer crc, byte[] sha256) {
    static ExpectedDigest parse(String digest) {
        if (digest == null || digest.isEmpty()) {
            return new ExpectedDigest(null, null);
        }
        if (digest.startsWith(PieceDigests.CRC32_PREFIX)) {
            return new ExpectedDigest(PieceDigests.parseCrc32(digest), null);
        }
        if (digest.startsWith(PieceDigests.SHA256_PREFIX)) {
            return new ExpectedDigest(null, PieceDigests.parseSha256(digest));
        }
        throw new InvalidPieceException("unsupported piece digest (want crc32: or sha256:): " + digest);
    }

    /** The description of the first mismatch with the computed values, or null when they match. */
    String[] mismatch(int actualCrc, byte[] actualSha256) {
        if (crc != null && crc != actualCrc) {
            return new String[] {PieceDigests.formatCrc32(crc), PieceDigests.formatCrc32(actualCrc)};
        }
        if (sha256 != null && !MessageDigest.isEqual(sha256, actualSha256)) {
            return new String[] {PieceDigests.formatSha256(sha256), PieceDigests.formatSha256(actualSha256)};
        }
        return null;
    }
}
