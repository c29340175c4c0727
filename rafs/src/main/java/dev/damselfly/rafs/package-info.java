/**
 * Reading Nydus RAFS images without knowing their on-disk layout.
 *
 * <p>{@link dev.damselfly.rafs.RafsImages#open(java.nio.file.Path)} detects RAFS v6 (EROFS based, also
 * plain EROFS chunked images from mkfs.erofs) or RAFS v5 and returns a {@link dev.damselfly.rafs.RafsImage}:
 * path lookup, directory listing, stat, symlinks, xattrs, and the mapping (inode, offset, length) to the
 * {@link dev.damselfly.rafs.ChunkRef chunks} that hold those bytes. File bytes are read through
 * {@link dev.damselfly.rafs.blob.FileContentReader} from any {@link dev.damselfly.rafs.blob.BlobByteSource}.
 * Every malformed input ends in a {@link dev.damselfly.rafs.RafsFormatException} naming the input and the
 * byte offset. Format reference: {@code shared/spec/nydus-format.md}.
 */
package dev.damselfly.rafs;
