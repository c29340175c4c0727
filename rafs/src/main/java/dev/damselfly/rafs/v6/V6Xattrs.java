package dev.damselfly.rafs.v6;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.Xattr;
import dev.damselfly.rafs.io.ByteRegion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes an inode's xattr area (§1.11): a 12-byte header, {@code shared_count} 4-byte ids of shared xattrs
 * (EROFS, at {@code xattr_blkaddr × bs + 4 × id}; never written by nydus), then inline entries each padded
 * to 4 bytes.
 */
final class V6Xattrs {
    private static final String[] PREFIXES = {null, "user.", "system.posix_acl_access", "system.posix_acl_default",
        "trusted.", "lustre.", "security."};

    private V6Xattrs() {
    }

    static List<Xattr> read(ByteRegion r, V6Inode inode, ErofsSuperblock sb) throws RafsFormatException {
        if (inode.xattrIcount() == 0) {
            return List.of();
        }
        long start = inode.offset() + inode.inodeSize();
        long end = start + inode.xattrSize();
        r.check(start, inode.xattrSize(), "xattr area of nid " + inode.nid());
        int shared = r.u8(start + 4);
        long p = start + 12;
        List<Xattr> out = new ArrayList<>();
        if (p + 4L * shared > end) {
            throw new RafsFormatException(r.name(), start + 4, inode.nid(), "shared xattr count " + shared + " overflows the area");
        }
        for (int i = 0; i < shared; i++, p += 4) {
            long id = r.u32(p);
            long at = sb.xattrBlkaddr() * sb.blockSize() + id * 4;
            out.add(entry(r, at, r.size(), inode.nid()));
        }
        while (p + 4 <= end) {
            Xattr x = entry(r, p, end, inode.nid());
            long len = 4 + r.u8(p) + r.u16(p + 2);
            p += (len + 3) & ~3L;
            out.add(x);
        }
        return out;
    }

    private static Xattr entry(ByteRegion r, long p, long limit, long nid) throws RafsFormatException {
        r.check(p, 4, "xattr entry");
        int nameLen = r.u8(p);
        int index = r.u8(p + 1);
        int valueSize = r.u16(p + 2);
        if (p + 4 + nameLen + valueSize > limit) {
            throw new RafsFormatException(r.name(), p, nid, "xattr entry runs past its area");
        }
        if (index <= 0 || index >= PREFIXES.length) {
            throw new RafsFormatException(r.name(), p + 1, nid, "unknown xattr name index " + index);
        }
        byte[] prefix = PREFIXES[index].getBytes(StandardCharsets.US_ASCII);
        byte[] suffix = r.bytes(p + 4, nameLen);
        byte[] name = new byte[prefix.length + nameLen];
        System.arraycopy(prefix, 0, name, 0, prefix.length);
        System.arraycopy(suffix, 0, name, prefix.length, nameLen);
        return new Xattr(name, r.bytes(p + 4 + nameLen, valueSize));
    }
}
