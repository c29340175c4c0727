/**
 * The read path from a file range to verified bytes: {@link dev.damselfly.rafsmount.read.FileReader} maps
 * the range to chunks, {@link dev.damselfly.rafsmount.read.ChunkLoader} serves them from the blob cache or
 * fetches the missing ones once (single-flight), merged into few source reads (amplify_io, §5.6) that with a
 * blob cache also take the blob's following chunks of other files ({@link dev.damselfly.rafsmount.read.BlobNeighbours}
 * names them from the bootstrap's chunk table), and
 * {@link dev.damselfly.rafsmount.read.ChunkDecoder} decompresses and checks each against its digest before
 * any byte is used; chunks from the blob cache are checked once per mount by the cache's CRC32C (the chunk digest
 * for chunks cached without one), and ranges of checked chunks are then read straight into the FUSE reply
 * buffer. {@link dev.damselfly.rafsmount.read.AccessTrace} records the order of first reads.
 */
package dev.damselfly.rafsmount.read;
