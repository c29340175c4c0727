/**
 * The on-disk blob cache, in nydusd's {@code blobcache} layout (nydus-format.md §5.3): per blob a sparse
 * {@code <blob id>.blob.data} holding each chunk decompressed at its uncompressed offset, and a
 * {@code <blob id>.blob.data.chunk_map} ready bitmap, plus damselfly's {@code <blob id>.blob.data.crc32c}: the
 * CRC32C of each chunk's verified bytes, recorded when they are written, which lets a later mount check cached
 * chunks at memory speed instead of hashing them again ({@link dev.damselfly.rafsmount.cache.ChunkChecksums}
 * explains why that keeps the guarantee). It survives remounts, is bounded in bytes (whole blobs are evicted,
 * least recently used first) and stores a chunk at most once. Only verified bytes enter it.
 */
package dev.damselfly.rafsmount.cache;
