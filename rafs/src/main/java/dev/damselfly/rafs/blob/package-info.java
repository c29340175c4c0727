/**
 * Nydus data blobs (§3): the chunk-info array (16- and 24-byte entries), the 4 KiB blob-meta header, the
 * chunk digest array, the TOC and tar-header trailers, the inlined per-layer bootstrap, and reading file
 * bytes chunk by chunk (decompress + verify) through a {@link dev.damselfly.rafs.blob.BlobByteSource}.
 */
package dev.damselfly.rafs.blob;
