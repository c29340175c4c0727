package dev.damselfly.rafs.codec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ForkJoinPool;

/** Chunk digest algorithms, by their blob-table code (§1.5 {@code digest_algo}). Both produce 32 bytes. */
public enum DigestAlgorithm {
    /** BLAKE3-256 (code 0, superblock flag 0x4); the Nydus default. */
    BLAKE3(0, 0x4),
    /** SHA-256 (code 1, flag 0x8). */
    SHA256(1, 0x8);

    /** Digest length in bytes. */
    public static final int LENGTH = 32;

    private final int code;
    private final long superblockFlag;

    DigestAlgorithm(int code, long superblockFlag) {
        this.code = code;
        this.superblockFlag = superblockFlag;
    }

    public int code() {
        return code;
    }

    public long superblockFlag() {
        return superblockFlag;
    }

    public static DigestAlgorithm ofCode(long code) {
        for (DigestAlgorithm d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        return null;
    }

    /** The single digest bit set in superblock {@code flags}, or null if none or both. */
    public static DigestAlgorithm ofSuperblockFlags(long flags) {
        boolean b = (flags & BLAKE3.superblockFlag) != 0;
        boolean s = (flags & SHA256.superblockFlag) != 0;
        return b == s ? null : (b ? BLAKE3 : SHA256);
    }

    /** Digest of {@code data[off, off+len)}, on the calling thread. */
    public byte[] digest(byte[] data, int off, int len) {
        return digest(data, off, len, null);
    }

    /**
     * Digest of {@code data[off, off+len)}; BLAKE3 inputs of at least {@link Blake3#PARALLEL_THRESHOLD} bytes are
     * split across the calling thread and {@code pool} when it is not null (SHA-256 is sequential and ignores it).
     */
    public byte[] digest(byte[] data, int off, int len, ForkJoinPool pool) {
        if (this == BLAKE3) {
            return Blake3.hash(data, off, len, pool);
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, off, len);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    public byte[] digest(byte[] data) {
        return digest(data, 0, data.length);
    }
}
