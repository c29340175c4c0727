package dev.damselfly.rafs.v6;

import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.UnsupportedRafsFeatureException;
import dev.damselfly.rafs.io.ByteRegion;

/**
 * A decoded EROFS inode (compact 32 bytes or extended 64 bytes, §1.7) plus where it sits in the file.
 *
 * @param nid       node id
 * @param offset    absolute byte offset of the inode
 * @param format    raw {@code i_format}
 * @param xattrIcount raw {@code i_xattr_icount}
 * @param iu        raw {@code i_u}: block address, rdev or chunk format word depending on type/layout
 * @param mtime     seconds (compact inodes: the superblock build time)
 */
public record V6Inode(long nid, long offset, int format, int xattrIcount, int mode, long nlink, long size,
                      long iu, long ino, long uid, long gid, long mtime, int mtimeNsec) {

    public static final int LAYOUT_FLAT_PLAIN = 0;
    public static final int LAYOUT_FLAT_INLINE = 2;
    public static final int LAYOUT_CHUNK_BASED = 4;

    static V6Inode read(ByteRegion r, long metaBase, long nid, ErofsSuperblock sb) throws RafsFormatException {
        if (nid < 0 || nid > (r.size() / 32)) {
            throw new RafsFormatException(r.name(), RafsFormatException.UNKNOWN, nid, "nid out of range");
        }
        long o = metaBase + nid * 32;
        if (o + 32 > r.size()) {
            throw new RafsFormatException(r.name(), o, nid, "inode lies beyond the end of the bootstrap");
        }
        int format = r.u16(o);
        if ((format & ~0xF) != 0) {
            throw new RafsFormatException(r.name(), o, nid, String.format("unknown i_format bits 0x%x", format));
        }
        int layout = (format >> 1) & 0x7;
        if (layout != LAYOUT_FLAT_PLAIN && layout != LAYOUT_FLAT_INLINE && layout != LAYOUT_CHUNK_BASED) {
            throw new UnsupportedRafsFeatureException(r.name(), o, nid, "EROFS data layout " + layout);
        }
        int icount = r.u16(o + 2);
        int mode = r.u16(o + 4);
        V6Inode inode;
        if ((format & 1) == 0) {
            inode = new V6Inode(nid, o, format, icount, mode, r.u16(o + 6), r.u32(o + 8), r.u32(o + 16),
                    r.u32(o + 20), r.u16(o + 24), r.u16(o + 26), sb.buildTime(), (int) sb.buildTimeNsec());
        } else {
            if (o + 64 > r.size()) {
                throw new RafsFormatException(r.name(), o, nid, "extended inode lies beyond the end of the bootstrap");
            }
            long size = r.u64(o + 8);
            if (size < 0) {
                throw new RafsFormatException(r.name(), o + 8, nid, "negative inode size " + size);
            }
            inode = new V6Inode(nid, o, format, icount, mode, r.u32(o + 44), size, r.u32(o + 16), r.u32(o + 20),
                    r.u32(o + 24), r.u32(o + 28), r.u64(o + 32), (int) r.u32(o + 40));
        }
        if (inode.nlink() == 0) {
            throw new RafsFormatException(r.name(), o, nid, "inode has nlink 0");
        }
        long end = inode.tailOffset();
        if (end > r.size()) {
            throw new RafsFormatException(r.name(), o, nid, "xattr area runs past the end of the bootstrap");
        }
        return inode;
    }

    public boolean extended() {
        return (format & 1) != 0;
    }

    /** Data layout (bits 1–3 of i_format). */
    public int layout() {
        return (format >> 1) & 0x7;
    }

    /** Inode record size: 32 or 64 bytes. */
    public int inodeSize() {
        return extended() ? 64 : 32;
    }

    /** Bytes of the inline xattr area following the inode (0 if none). */
    public long xattrSize() {
        return xattrIcount == 0 ? 0 : 12 + 4L * (xattrIcount - 1);
    }

    /** Absolute offset right after inode + xattrs: the inline tail data. */
    public long tailOffset() {
        return offset + inodeSize() + xattrSize();
    }

    /** Absolute offset of the chunk index array (8-byte aligned from the inode start). */
    public long chunkIndexOffset() {
        return offset + ((inodeSize() + xattrSize() + 7) & ~7L);
    }

    public FileType type() {
        return FileType.ofMode(mode);
    }

    /** Linux rdev for device inodes (from {@code i_u}), else 0. */
    public int rdev() {
        FileType t = type();
        return t == FileType.CHAR_DEVICE || t == FileType.BLOCK_DEVICE || t == FileType.FIFO || t == FileType.SOCKET
                ? (int) iu : 0;
    }

    public InodeAttributes attributes() {
        return new InodeAttributes(nid, ino, mode, nlink, uid, gid, size, mtime, mtimeNsec, rdev());
    }
}
