package dev.damselfly.rafs.chunk;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.io.ByteRegion;
import java.util.Arrays;

/**
 * The RAFS v6 chunk info table (§1.12) with an index from (blob index, chunk-info index) to record. The
 * table may be unsorted (2022-era images), so the index is an open-addressing hash built on first use:
 * 12 bytes of heap per record, one pass over the table.
 */
public final class ChunkTable {
    private final ByteRegion region;
    private final long offset;
    private final int count;
    private volatile long[] keys;
    private volatile int[] slots;

    /**
     * @param offset absolute offset of the table in the bootstrap
     * @param size   bytes; must be a multiple of {@link ChunkRecord#SIZE}
     */
    public ChunkTable(ByteRegion region, long offset, long size) throws RafsFormatException {
        if (size % ChunkRecord.SIZE != 0) {
            throw new RafsFormatException(region.name(), offset, "chunk table size " + size + " is not a multiple of 80");
        }
        region.check(offset, size, "chunk table");
        this.region = region;
        this.offset = offset;
        this.count = (int) (size / ChunkRecord.SIZE);
    }

    /** Number of records. */
    public int size() {
        return count;
    }

    /** Record number {@code i} in table order. */
    public ChunkRecord get(int i) throws RafsFormatException {
        if (i < 0 || i >= count) {
            throw new RafsFormatException(region.name(), offset, "chunk record " + i + " out of range (" + count + ")");
        }
        return ChunkRecord.read(region, offset + (long) i * ChunkRecord.SIZE);
    }

    /** The record for (blobIndex, ciIndex), or null. */
    public ChunkRecord find(int blobIndex, long ciIndex) throws RafsFormatException {
        if (count == 0) {
            return null;
        }
        index();
        long key = key(blobIndex, ciIndex);
        long[] k = keys;
        int mask = k.length - 1;
        for (int h = mix(key) & mask; ; h = (h + 1) & mask) {
            if (k[h] == -1) {
                return null;
            }
            if (k[h] == key) {
                return get(slots[h]);
            }
        }
    }

    private void index() throws RafsFormatException {
        if (keys != null) {
            return;
        }
        synchronized (this) {
            if (keys != null) {
                return;
            }
            int cap = Integer.highestOneBit(Math.max(2, count) * 2 - 1) << 1;
            long[] k = new long[cap];
            int[] s = new int[cap];
            Arrays.fill(k, -1);
            int mask = cap - 1;
            for (int i = 0; i < count; i++) {
                long at = offset + (long) i * ChunkRecord.SIZE;
                long key = key((int) region.u32(at + 32), region.u32(at + 72));
                int h = mix(key) & mask;
                while (k[h] != -1 && k[h] != key) {
                    h = (h + 1) & mask;
                }
                if (k[h] == -1) {
                    k[h] = key;
                    s[h] = i;
                }
            }
            slots = s;
            keys = k;
        }
    }

    private static long key(int blobIndex, long ci) {
        return ((long) blobIndex << 32) | (ci & 0xFFFFFFFFL);
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
