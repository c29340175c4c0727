package dev.damselfly.rafsmount.fuse;

import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsVersion;

/**
 * What the mount reports for an inode, following nydusd (§5.7): inode number = nid (v6) or the stored inode
 * number (v5); root permissions forced to {@code rwxr-xr-x}; uid/gid of the mounting process when the image
 * has no explicit ids; mtime 0 shown as the mount time; {@code st_blocks} = ceil(size / 512).
 *
 * @param uid           the mounting process's effective uid (used when the image has no explicit ids)
 * @param gid           its effective gid
 * @param mountSeconds  the mount time, seconds since the epoch
 */
public record InodeView(RafsImage image, long uid, long gid, long mountSeconds) {
    /** {@code st_blksize} reported for every inode, bytes. */
    public static final int BLOCK_SIZE = 4096;

    public long inodeNumber(InodeAttributes a) {
        return image.version() == RafsVersion.V5 ? a.ino() : a.handle();
    }

    public int mode(InodeAttributes a) {
        if (a.handle() == image.rootHandle()) {
            return (a.mode() & FileType.S_IFMT) | 0755;
        }
        return a.mode();
    }

    public long uid(InodeAttributes a) {
        return image.explicitUidGid() ? a.uid() : uid;
    }

    public long gid(InodeAttributes a) {
        return image.explicitUidGid() ? a.gid() : gid;
    }

    public long mtimeSeconds(InodeAttributes a) {
        return a.mtimeSeconds() == 0 && a.mtimeNanos() == 0 ? mountSeconds : a.mtimeSeconds();
    }

    public long blocks(InodeAttributes a) {
        return (a.size() + 511) / 512;
    }

    /** The device number in glibc's 64-bit {@code dev_t} encoding. */
    public long rdev(InodeAttributes a) {
        long major = a.rdevMajor();
        long minor = a.rdevMinor();
        return ((major & 0xFFF) << 8) | ((major & ~0xFFFL) << 32) | (minor & 0xFF) | ((minor & ~0xFFL) << 12);
    }
}
