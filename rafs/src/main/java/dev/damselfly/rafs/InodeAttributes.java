package dev.damselfly.rafs;

/**
 * What {@code stat} needs about one inode.
 *
 * @param handle  the key this image uses for the inode: the EROFS nid for v6 (which nydusd also reports as
 *                {@code st_ino}), the 1-based inode-table index for v5
 * @param ino     the inode number stored in the inode ({@code i_ino}); hard links share it even in images
 *                that give every name its own inode (v5, pre-2.1 v6)
 * @param mode    POSIX mode: type and permission bits
 * @param nlink   link count
 * @param uid     owner; only meaningful when {@link RafsImage#explicitUidGid()} is true
 * @param gid     group; same caveat
 * @param size    bytes (regular files, symlink target length, directory data size)
 * @param mtimeSeconds  modification time, seconds since the epoch (compact EROFS inodes: the build time)
 * @param mtimeNanos    nanoseconds part
 * @param rdev    Linux {@code makedev} encoding for device inodes, else 0
 */
public record InodeAttributes(long handle, long ino, int mode, long nlink, long uid, long gid, long size,
                              long mtimeSeconds, int mtimeNanos, int rdev) {

    /** File type from {@link #mode()}. */
    public FileType type() {
        return FileType.ofMode(mode);
    }

    /** Permission bits ({@code mode & 07777}). */
    public int permissions() {
        return mode & 07777;
    }

    /** Major device number of {@link #rdev()} (bits 8–19). */
    public int rdevMajor() {
        return (rdev >>> 8) & 0xFFF;
    }

    /** Minor device number of {@link #rdev()} (bits 0–7 and 20–31). */
    public int rdevMinor() {
        return (rdev & 0xFF) | ((rdev >>> 12) & 0xFFF00);
    }
}
