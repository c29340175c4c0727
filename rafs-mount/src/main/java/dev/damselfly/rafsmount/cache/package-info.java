/**
 * The on-disk blob cache, in nydusd's {@code blobcache} layout (nydus-format.md §5.3): per blob a sparse
 * {@code <blob id>.blob.data} holding each chunk decompressed at its uncompressed offset, and a
 * {@code <blob id>.blob.data.chunk_map} ready bitmap. It survives remounts, is bounded in bytes (whole blobs
 * are evicted, least recently used first) and stores a chunk at most once. Only verified bytes enter it.
 */
package dev.damselfly.rafsmount.cache;
