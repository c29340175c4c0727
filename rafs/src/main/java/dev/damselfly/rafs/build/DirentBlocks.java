package dev.damselfly.rafs.build;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * EROFS directory data (§1.9): 12-byte dirents then their names per 4 KiB block, entries ({@code .} and
 * {@code ..} included) sorted by raw name bytes, no entry spanning blocks. The final block is not padded:
 * {@code i_size} counts full blocks as 4096 bytes plus the bytes used in the last one.
 */
final class DirentBlocks {
    static final int BLOCK = 4096;

    /** One directory entry. */
    record Entry(byte[] name, FsNode target) {
    }

    private DirentBlocks() {
    }

    /** The sorted entries of {@code dir}, with {@code .} and {@code ..}. */
    static List<Entry> entries(FsNode dir) {
        List<Entry> out = new ArrayList<>();
        out.add(new Entry(".".getBytes(StandardCharsets.US_ASCII), dir));
        out.add(new Entry("..".getBytes(StandardCharsets.US_ASCII), dir.parent == null ? dir : dir.parent));
        for (FsNode c : dir.children.values()) {
            out.add(new Entry(c.name, c));
        }
        out.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
        return out;
    }

    /** Byte size of the directory data ({@code i_size}). */
    static long size(List<Entry> entries) {
        long total = 0;
        int used = 0;
        for (Entry e : entries) {
            int need = 12 + e.name().length;
            if (used + need > BLOCK) {
                total += BLOCK;
                used = 0;
            }
            used += need;
        }
        return total + used;
    }

    /** The directory data; targets' nids must be assigned. */
    static byte[] encode(List<Entry> entries) {
        long size = size(entries);
        ByteBuffer out = ByteBuffer.allocate((int) ((size + BLOCK - 1) / BLOCK * BLOCK)).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        int block = 0;
        while (i < entries.size()) {
            int used = 0;
            int j = i;
            while (j < entries.size() && used + 12 + entries.get(j).name().length <= BLOCK) {
                used += 12 + entries.get(j).name().length;
                j++;
            }
            int base = block * BLOCK;
            int nameOff = 12 * (j - i);
            for (int k = i; k < j; k++) {
                Entry e = entries.get(k);
                int d = base + 12 * (k - i);
                out.putLong(d, e.target().inode.nid);
                out.putShort(d + 8, (short) nameOff);
                out.put(d + 10, (byte) e.target().inode.direntType());
                out.put(base + nameOff, e.name());
                nameOff += e.name().length;
            }
            i = j;
            block++;
        }
        return Arrays.copyOf(out.array(), (int) size);
    }
}
