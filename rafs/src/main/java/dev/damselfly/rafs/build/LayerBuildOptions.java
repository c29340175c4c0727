package dev.damselfly.rafs.build;

import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;

/**
 * How to build a layer.
 *
 * @param chunkSize   bytes per chunk: a power of two from 4 KiB to 16 MiB; default {@link #DEFAULT_CHUNK_SIZE} (1 MiB)
 * @param compression chunk compression: {@link Compression#ZSTD} (default), {@link Compression#LZ4_BLOCK} or
 *                    {@link Compression#NONE}; a chunk that does not shrink is stored raw either way
 * @param digest      chunk digest: {@link DigestAlgorithm#BLAKE3} (default) or {@link DigestAlgorithm#SHA256}
 * @param aligned     kernel-mountable layout: chunks stored uncompressed at 4 KiB aligned blob offsets equal to
 *                    their uncompressed offsets, so the blob file itself is the EROFS extra device (spec §8);
 *                    requires {@link Compression#NONE}. Default false.
 */
public record LayerBuildOptions(int chunkSize, Compression compression, DigestAlgorithm digest, boolean aligned) {

    /** 1 MiB. */
    public static final int DEFAULT_CHUNK_SIZE = 1 << 20;
    /** 4 KiB. */
    public static final int MIN_CHUNK_SIZE = 4096;
    /** 16 MiB. */
    public static final int MAX_CHUNK_SIZE = 16 << 20;

    /** Validates; throws {@link IllegalArgumentException}. */
    public LayerBuildOptions {
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is not a power of two in [4 KiB, 16 MiB]");
        }
        if (compression == null || compression == Compression.GZIP) {
            throw new IllegalArgumentException("chunk compression must be zstd, lz4_block or none, not " + compression);
        }
        if (digest == null) {
            throw new IllegalArgumentException("digest algorithm missing");
        }
        if (aligned && compression != Compression.NONE) {
            throw new IllegalArgumentException("aligned (kernel-mountable) layers store chunks uncompressed; compression "
                    + compression + " was asked for");
        }
    }

    /** 1 MiB chunks, zstd, BLAKE3, not aligned (the nydusify defaults). */
    public static LayerBuildOptions defaults() {
        return new LayerBuildOptions(DEFAULT_CHUNK_SIZE, Compression.ZSTD, DigestAlgorithm.BLAKE3, false);
    }

    /** The kernel-mountable variant of the defaults: 1 MiB chunks, uncompressed, BLAKE3, aligned. */
    public static LayerBuildOptions kernelMountable() {
        return new LayerBuildOptions(DEFAULT_CHUNK_SIZE, Compression.NONE, DigestAlgorithm.BLAKE3, true);
    }

    public LayerBuildOptions withChunkSize(int size) {
        return new LayerBuildOptions(size, compression, digest, aligned);
    }

    public LayerBuildOptions withCompression(Compression c) {
        return new LayerBuildOptions(chunkSize, c, digest, aligned);
    }

    public LayerBuildOptions withDigest(DigestAlgorithm d) {
        return new LayerBuildOptions(chunkSize, compression, d, aligned);
    }

    /** Aligned mode; turning it on also selects {@link Compression#NONE}. */
    public LayerBuildOptions withAligned(boolean a) {
        return new LayerBuildOptions(chunkSize, a ? Compression.NONE : compression, digest, a);
    }
}
