/**
 * The read path from a file range to verified bytes: {@link dev.damselfly.rafsmount.read.FileReader} maps
 * the range to chunks, {@link dev.damselfly.rafsmount.read.ChunkLoader} serves them from the blob cache or
 * fetches the missing ones once (single-flight), merged into few source reads (amplify_io, §5.6), and
 * {@link dev.damselfly.rafsmount.read.ChunkDecoder} decompresses and checks each against its digest before
 * any byte is used. {@link dev.damselfly.rafsmount.read.AccessTrace} records the order of first reads.
 */
package dev.damselfly.rafsmount.read;
