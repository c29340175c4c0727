package dev.damselfly.rafs;

import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;

/**
 * A read-only RAFS image (bootstrap), independent of its on-disk version. Inodes are named by a
 * {@code handle} (v6: nid; v5: inode-table index). Implementations are thread-safe and read the bootstrap
 * lazily; nothing but small tables is kept on the heap.
 *
 * <p>Every method throws {@link RafsFormatException} when the bytes it needs are malformed, and
 * {@link WrongInodeTypeException} when asked something of the wrong inode type.
 */
public interface RafsImage extends AutoCloseable {

    /** Name of the bootstrap (file path or label) used in errors. */
    String name();

    RafsVersion version();

    /** Handle of the root directory. */
    long rootHandle();

    /** Inode count the superblock declares ({@code inos} / {@code inodes_count}); informational, e.g. for statfs. */
    long inodeCount();

    /** Chunk size in bytes from the superblock (0 for plain EROFS, where it is per inode). */
    long chunkSize();

    /** RAFS superblock flags (§1.3); 0 for plain EROFS. */
    long flags();

    /** Whether stored uid/gid are meaningful (flag EXPLICIT_UID_GID); if not, a mount reports its own ids. */
    default boolean explicitUidGid() {
        return (flags() & 0x10) != 0;
    }

    /** Image-level chunk compression ({@link Compression#NONE} for plain EROFS). */
    Compression compression();

    /** Image-level chunk digest algorithm, or null when the image has no chunk digests. */
    DigestAlgorithm digestAlgorithm();

    /** Blobs (devices) referred to by chunks, in index order. */
    List<BlobInfo> blobs();

    /** Prefetch hints: inode handles in table order (a single root entry means "everything"). */
    List<Long> prefetchHandles();

    /** Attributes of an inode. */
    InodeAttributes stat(long handle) throws RafsException;

    /** Handle of {@code name} in directory {@code dirHandle}, if present. {@code .} and {@code ..} are resolved. */
    OptionalLong lookup(long dirHandle, byte[] name) throws RafsException;

    /** Entries of a directory in on-disk order (sorted by raw name bytes), without {@code .} and {@code ..}. */
    List<DirEntry> readDir(long dirHandle) throws RafsException;

    /** Target of a symlink, raw bytes. */
    byte[] readLink(long handle) throws RafsException;

    /** Extended attributes of an inode (possibly empty), in on-disk order. */
    List<Xattr> xattrs(long handle) throws RafsException;

    /**
     * The chunks holding bytes {@code [offset, offset + length)} of a regular file, in file order. Ranges
     * beyond the end of the file are clipped; an empty list means nothing to read.
     */
    List<ChunkRef> chunks(long handle, long offset, long length) throws RafsException;

    /** All chunks of a regular file. */
    default List<ChunkRef> chunks(long handle) throws RafsException {
        return chunks(handle, 0, Long.MAX_VALUE);
    }

    /**
     * Resolves an absolute path ({@code /a/b/c}; empty components and {@code .} ignored, {@code ..} goes up)
     * without following symlinks.
     */
    default OptionalLong resolve(String path) throws RafsException {
        long cur = rootHandle();
        java.util.ArrayDeque<Long> parents = new java.util.ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                cur = parents.isEmpty() ? rootHandle() : parents.pop();
                continue;
            }
            InodeAttributes a = stat(cur);
            if (a.type() != FileType.DIRECTORY) {
                return OptionalLong.empty();
            }
            OptionalLong next = lookup(cur, part.getBytes(StandardCharsets.UTF_8));
            if (next.isEmpty()) {
                return next;
            }
            parents.push(cur);
            cur = next.getAsLong();
        }
        return OptionalLong.of(cur);
    }

    /** Releases the mapping (the image must not be used afterwards). */
    @Override
    void close();
}
