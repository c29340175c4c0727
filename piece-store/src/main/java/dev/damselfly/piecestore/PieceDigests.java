package dev.damselfly.piecestore;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * Piece digests in Dragonfly's text form (spec §2.6): {@code crc32:<unsigned decimal>} of CRC-32/ISO-HDLC
 * (IEEE 802.3, the JDK's {@link CRC32}; not CRC-32C) and, where a caller asks for it,
 * {@code sha256:<64 lowercase hex>}.
 */
public final class PieceDigests {
    /** Prefix of a CRC-32 piece digest. */
    public static final String CRC32_PREFIX = "crc32:";
    /** Prefix of a SHA-256 piece digest. */
    public static final String SHA256_PREFIX = "sha256:";

    private PieceDigests() {
    }

    /** CRC-32 of the remaining bytes of {@code bytes} (its position is not moved). */
    public static int crc32Of(ByteBuffer bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes.duplicate());
        return (int) crc.getValue();
    }

    /** {@code crc32:<decimal>} for a raw CRC value. */
    public static String formatCrc32(int crc) {
        return CRC32_PREFIX + Integer.toUnsignedString(crc);
    }

    /** {@code crc32:<decimal>} of the remaining bytes. */
    public static String crc32(ByteBuffer bytes) {
        return formatCrc32(crc32Of(bytes));
    }

    /** {@code crc32:<decimal>} of a byte array. */
    public static String crc32(byte[] bytes) {
        return crc32(ByteBuffer.wrap(bytes));
    }

    /** Parses {@code crc32:<decimal>} (0 … 4294967295) to the raw CRC value. */
    public static int parseCrc32(String digest) {
        if (digest == null || !digest.startsWith(CRC32_PREFIX)) {
            throw new InvalidPieceException("not a crc32 digest: " + digest);
        }
        String number = digest.substring(CRC32_PREFIX.length());
        try {
            long v = Long.parseLong(number);
            if (v < 0 || v > 0xFFFF_FFFFL || !number.equals(Long.toString(v))) {
                throw new NumberFormatException(number);
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new InvalidPieceException("crc32 digest is not an unsigned 32-bit decimal: " + digest);
        }
    }

    /** SHA-256 of the remaining bytes, raw (32 bytes). */
    public static byte[] sha256Of(ByteBuffer bytes) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes.duplicate());
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** {@code sha256:<hex>} for a raw 32-byte value. */
    public static String formatSha256(byte[] sha) {
        return SHA256_PREFIX + HexFormat.of().formatHex(sha);
    }

    /** Parses {@code sha256:<64 hex>} to its 32 raw bytes. */
    public static byte[] parseSha256(String digest) {
        if (digest == null || !digest.startsWith(SHA256_PREFIX) || digest.length() != SHA256_PREFIX.length() + 64) {
            throw new InvalidPieceException("not a sha256 digest: " + digest);
        }
        try {
            return HexFormat.of().parseHex(digest.substring(SHA256_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new InvalidPieceException("sha256 digest is not hex: " + digest);
        }
    }
}
