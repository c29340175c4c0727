package dev.damselfly.rafs.v5;

import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.io.ByteRegion;

/**
 * A 128-byte RAFS v5 inode record (§2) and where its variable parts start.
 *
 * @param handle     1-based inode-table index of this record
 * @param offset     absolute offset of the record
 * @param flags      0x1 symlink, 0x2 hardlink, 0x4 xattr, 0x8 has hole
 * @param childIndex first child's handle (directories)
 * @param childCount number of children (directories) or chunk records (regular files)
 */
public record V5Inode(long handle, long offset, byte[] digest, long parent, long ino, long uid, long gid, long projid,
                      int mode, long size, long blocks, long flags, long nlink, long childIndex, long childCount,
                      int nameSize, int symlinkSize, int rdev, int mtimeNsec, long mtime) {

    public static final int SIZE = 128;
    public static final long FLAG_SYMLINK = 0x1;
    public static final long FLAG_HARDLINK = 0x2;
    public static final long FLAG_XATTR = 0x4;
    public static final long FLAG_HAS_HOLE = 0x8;

    static V5Inode read(ByteRegion r, long handle, long o) throws RafsFormatException {
        r.check(o, SIZE, "v5 inode " + handle);
        long size = r.u64(o + 64);
        if (size < 0) {
            throw new RafsFormatException(r.name(), o + 64, handle, "negative size");
        }
        return new V5Inode(handle, o, r.bytes(o, 32), r.u64(o + 32), r.u64(o + 40), r.u32(o + 48), r.u32(o + 52),
                r.u32(o + 56), (int) r.u32(o + 60), size, r.u64(o + 72), r.u64(o + 80), r.u32(o + 88),
                r.u32(o + 92), r.u32(o + 96), r.u16(o + 100), r.u16(o + 102), (int) r.u32(o + 104),
                (int) r.u32(o + 108), r.u64(o + 112));
    }

    static long align8(long v) {
        return (v + 7) & ~7L;
    }

    long nameOffset() {
        return offset + SIZE;
    }

    long symlinkOffset() {
        return nameOffset() + align8(nameSize);
    }

    /** Offset of the xattr area (u64 size + pairs) if {@link #FLAG_XATTR}, else of the chunk records. */
    long afterSymlink() {
        return symlinkOffset() + align8(symlinkSize);
    }

    public FileType type() {
        return FileType.ofMode(mode);
    }

    public InodeAttributes attributes() {
        return new InodeAttributes(handle, ino, mode, nlink, uid, gid, size, mtime, mtimeNsec,
                type() == FileType.CHAR_DEVICE || type() == FileType.BLOCK_DEVICE ? rdev : 0);
    }
}
