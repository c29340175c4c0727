package dev.damselfly.testkit.token;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * The docker/libtrust key fingerprint that Distribution accepts as a JWS {@code kid}: SHA-256 of
 * the DER SubjectPublicKeyInfo, truncated to 30 bytes (240 bits), RFC 4648 base32 without padding,
 * in 12 groups of 4 characters joined by {@code ':'}.
 */
public final class LibtrustKeyId {

    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private LibtrustKeyId() {
    }

    /**
     * @param key an EC or RSA public key
     * @return e.g. {@code ABCD:EFGH:IJKL:MNOP:QRST:UVWX:YZ23:4567:ABCD:EFGH:IJKL:MNOP}
     */
    public static String of(PublicKey key) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        String b32 = base32(Arrays.copyOf(hash, 30));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b32.length(); i += 4) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(b32, i, Math.min(i + 4, b32.length()));
        }
        return sb.toString();
    }

    static String base32(byte[] data) {
        StringBuilder sb = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return sb.toString();
    }
}
