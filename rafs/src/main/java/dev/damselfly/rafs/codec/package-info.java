/**
 * Chunk compression ({@link dev.damselfly.rafs.codec.Compression}: none, lz4_block, gzip, zstd) and chunk
 * digests ({@link dev.damselfly.rafs.codec.DigestAlgorithm}: BLAKE3-256, SHA-256), with the numeric codes
 * the RAFS blob table and superblock flags use. BLAKE3 is our own ({@link dev.damselfly.rafs.codec.Blake3}); a
 * long-running process can switch it, after a background JIT warm-up, to hashing 4-16 chunks per pass with the
 * JDK's incubating vector API (present only when the JVM runs with {@code --add-modules jdk.incubator.vector}).
 * Decompression is always bounded by the size the metadata promises; a stream that decodes to anything else is a
 * {@link dev.damselfly.rafs.RafsFormatException}.
 */
package dev.damselfly.rafs.codec;
