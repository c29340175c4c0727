package dev.damselfly.rafs.build;

import dev.damselfly.rafs.tar.TarXattr;
import java.util.List;

/** The metadata of one inode of the tree being built; shared by the names of a hard-linked file. */
final class FsInode {
    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;
    static final int S_IFIFO = 0010000;

    /** POSIX mode: type and permission bits. */
    int mode;
    long uid;
    long gid;
    long mtimeSeconds;
    /** Linux makedev encoding, devices only. */
    int rdev;
    /** Regular file bytes. */
    long size;
    /** Symlink target bytes. */
    byte[] target;
    List<TarXattr> xattrs = List.of();
    /** Position in its blob's {@link ChunkList} of each chunk of a regular file, in file order. */
    int[] chunks = new int[0];
    /** Index of the blob holding this regular file's chunks (0 in a layer build; the layer's index in a merge). */
    int blob;
    /**
     * Per-chunk blob index when a file's chunks live in several blobs (a layer built against a chunk
     * dictionary); null when all are in {@link #blob}.
     */
    int[] chunkBlobs;
    /** Number of names (regular files); computed for directories at layout. */
    int nlink = 1;

    // assigned by the bootstrap layout
    long nid = -1;
    long ino;

    boolean isDir() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    boolean isReg() {
        return (mode & S_IFMT) == S_IFREG;
    }

    boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /** EROFS dirent file type (§1.9). */
    int direntType() {
        switch (mode & S_IFMT) {
            case S_IFREG: return 1;
            case S_IFDIR: return 2;
            case S_IFCHR: return 3;
            case S_IFBLK: return 4;
            case S_IFIFO: return 5;
            case 0140000: return 6;
            case S_IFLNK: return 7;
            default: return 0;
        }
    }
}
