package dev.damselfly.rafs.v6;

import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.io.ByteRegion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads EROFS directory blocks (§1.9): 12-byte dirents followed by their names; entries sorted by raw name
 * bytes across blocks; the last partial block may be inline after the inode.
 */
final class V6Directory {
    /** Longest name EROFS allows, bytes. */
    static final int MAX_NAME = 255;
    private static final byte[] DOT = {'.'};
    private static final byte[] DOTDOT = {'.', '.'};

    private final ByteRegion r;
    private final V6Inode dir;
    private final int bs;
    private final long blocks;

    V6Directory(ByteRegion r, V6Inode dir, int blockSize) throws RafsFormatException {
        this.r = r;
        this.dir = dir;
        this.bs = blockSize;
        this.blocks = (dir.size() + bs - 1) / bs;
        if (dir.layout() == V6Inode.LAYOUT_CHUNK_BASED) {
            throw new RafsFormatException(r.name(), dir.offset(), dir.nid(), "directory with chunk-based layout");
        }
        if (dir.size() > r.size() + bs) {
            throw new RafsFormatException(r.name(), dir.offset(), dir.nid(), "absurd directory size " + dir.size());
        }
        long plainBytes = hasInlineTail() ? (blocks - 1) * bs : dir.size();
        if (plainBytes > 0) {
            r.check(dir.iu() * bs, plainBytes, "directory blocks of nid " + dir.nid());
        }
        if (hasInlineTail()) {
            r.check(dir.tailOffset(), dir.size() % bs, "inline directory tail of nid " + dir.nid());
        }
    }

    private boolean hasInlineTail() {
        return dir.layout() == V6Inode.LAYOUT_FLAT_INLINE && dir.size() % bs != 0;
    }

    private long blockOffset(long k) {
        if (hasInlineTail() && k == blocks - 1) {
            return dir.tailOffset();
        }
        return (dir.iu() + k) * bs;
    }

    private int blockLength(long k) {
        return (int) Math.min(bs, dir.size() - k * bs);
    }

    /** Entries of block k, including "." and "..". */
    List<DirEntry> block(long k) throws RafsFormatException {
        long o = blockOffset(k);
        int len = blockLength(k);
        if (len < 12) {
            throw new RafsFormatException(r.name(), o, dir.nid(), "directory block of " + len + " bytes");
        }
        int first = r.u16(o + 8);
        if (first % 12 != 0 || first < 12 || first >= len) {
            throw new RafsFormatException(r.name(), o + 8, dir.nid(), "bad first name offset " + first);
        }
        int n = first / 12;
        List<DirEntry> out = new ArrayList<>(n);
        int nameOff = first;
        for (int i = 0; i < n; i++) {
            long e = o + 12L * i;
            long nid = r.u64(e);
            int type = r.u8(e + 10);
            int end = i + 1 < n ? r.u16(e + 12 + 8) : len;
            if (i > 0) {
                nameOff = r.u16(e + 8);
            }
            if (nameOff < first || end <= nameOff || end > len) {
                throw new RafsFormatException(r.name(), e + 8, dir.nid(),
                        "bad name bounds [" + nameOff + ", " + end + ") in a block of " + len);
            }
            byte[] name = r.bytes(o + nameOff, end - nameOff);
            if (i == n - 1) {
                int z = 0;
                while (z < name.length && name[z] != 0) {
                    z++;
                }
                name = Arrays.copyOf(name, z);
            }
            if (name.length == 0 || name.length > MAX_NAME) {
                throw new RafsFormatException(r.name(), o + nameOff, dir.nid(), "bad name length " + name.length);
            }
            if (nid < 0) {
                throw new RafsFormatException(r.name(), e, dir.nid(), "bad nid " + nid);
            }
            out.add(new DirEntry(name, nid, FileType.ofDirentType(type)));
        }
        return out;
    }

    long blockCount() {
        return blocks;
    }

    /** All entries except "." and "..". */
    List<DirEntry> list() throws RafsFormatException {
        List<DirEntry> out = new ArrayList<>();
        for (long k = 0; k < blocks; k++) {
            for (DirEntry d : block(k)) {
                if (!isDotOrDotDot(d.name())) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    /**
     * Entry named {@code name} (may be "." or ".."), or null. Binary search over blocks by their first
     * name, then over the entries of one block; only the names compared are decoded.
     */
    DirEntry find(byte[] name) throws RafsFormatException {
        long lo = 0;
        long hi = blocks - 1;
        long candidate = -1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            if (Arrays.compareUnsigned(name, nameAt(mid, 0)) < 0) {
                hi = mid - 1;
            } else {
                candidate = mid;
                lo = mid + 1;
            }
        }
        if (candidate < 0) {
            return null;
        }
        int n = entryCount(candidate);
        int l = 0;
        int h = n - 1;
        while (l <= h) {
            int m = (l + h) >>> 1;
            int c = Arrays.compareUnsigned(name, nameAt(candidate, m));
            if (c == 0) {
                long e = blockOffset(candidate) + 12L * m;
                long nid = r.u64(e);
                if (nid < 0) {
                    throw new RafsFormatException(r.name(), e, dir.nid(), "bad nid " + nid);
                }
                return new DirEntry(name.clone(), nid, FileType.ofDirentType(r.u8(e + 10)));
            }
            if (c < 0) {
                h = m - 1;
            } else {
                l = m + 1;
            }
        }
        return null;
    }

    private int entryCount(long k) throws RafsFormatException {
        long o = blockOffset(k);
        int len = blockLength(k);
        if (len < 12) {
            throw new RafsFormatException(r.name(), o, dir.nid(), "directory block of " + len + " bytes");
        }
        int first = r.u16(o + 8);
        if (first % 12 != 0 || first < 12 || first >= len) {
            throw new RafsFormatException(r.name(), o + 8, dir.nid(), "bad first name offset " + first);
        }
        return first / 12;
    }

    /** Name of entry {@code i} of block {@code k}, validated like {@link #block}. */
    private byte[] nameAt(long k, int i) throws RafsFormatException {
        int n = entryCount(k);
        long o = blockOffset(k);
        int len = blockLength(k);
        long e = o + 12L * i;
        int nameOff = r.u16(e + 8);
        int end = i + 1 < n ? r.u16(e + 12 + 8) : len;
        if (nameOff < 12 * n || end <= nameOff || end > len) {
            throw new RafsFormatException(r.name(), e + 8, dir.nid(), "bad name bounds [" + nameOff + ", " + end + ") in a block of " + len);
        }
        byte[] name = r.bytes(o + nameOff, end - nameOff);
        if (i == n - 1) {
            int z = 0;
            while (z < name.length && name[z] != 0) {
                z++;
            }
            name = Arrays.copyOf(name, z);
        }
        if (name.length == 0 || name.length > MAX_NAME) {
            throw new RafsFormatException(r.name(), o + nameOff, dir.nid(), "bad name length " + name.length);
        }
        return name;
    }

    static boolean isDotOrDotDot(byte[] name) {
        return Arrays.equals(name, DOT) || Arrays.equals(name, DOTDOT);
    }
}
