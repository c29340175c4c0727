package dev.damselfly.rafs.build;

import java.util.Arrays;

/**
 * Growable columns describing distinct chunks of one blob. For a layer build the position in the list is the
 * CI index; a merge adds records with their original CI index and 80-byte record flags
 * ({@link #addRecord}), so position and CI index may differ.
 */
final class ChunkList {
    private int size;
    private byte[] digests = new byte[32 * 64];
    private long[] compressedOffset = new long[64];
    private int[] compressedSize = new int[64];
    private long[] uncompressedOffset = new long[64];
    private int[] uncompressedSize = new int[64];
    private boolean[] compressed = new boolean[64];
    private int[] crc = new int[64];
    private long[] fileOffset = new long[64];
    private int[] ciIndex = new int[64];
    private int[] recordFlags = new int[64];

    int size() {
        return size;
    }

    int add(byte[] digest, long cOff, int cSize, long uOff, int uSize, boolean isCompressed, int crc32c, long fOff) {
        return addRecord(size, digest, cOff, cSize, uOff, uSize, (isCompressed ? 0x1 : 0) | 0x10, crc32c, fOff);
    }

    /**
     * Adds a chunk with an explicit CI index and 80-byte record flags (§1.12: 0x1 compressed, 0x10 has CRC-32C);
     * returns its position in this list.
     */
    int addRecord(int ci, byte[] digest, long cOff, int cSize, long uOff, int uSize, int flags, int crc32c, long fOff) {
        boolean isCompressed = (flags & 0x1) != 0;
        if (size == compressedOffset.length) {
            int n = size * 2;
            digests = Arrays.copyOf(digests, 32 * n);
            compressedOffset = Arrays.copyOf(compressedOffset, n);
            compressedSize = Arrays.copyOf(compressedSize, n);
            uncompressedOffset = Arrays.copyOf(uncompressedOffset, n);
            uncompressedSize = Arrays.copyOf(uncompressedSize, n);
            compressed = Arrays.copyOf(compressed, n);
            crc = Arrays.copyOf(crc, n);
            fileOffset = Arrays.copyOf(fileOffset, n);
            ciIndex = Arrays.copyOf(ciIndex, n);
            recordFlags = Arrays.copyOf(recordFlags, n);
        }
        System.arraycopy(digest, 0, digests, 32 * size, 32);
        compressedOffset[size] = cOff;
        compressedSize[size] = cSize;
        uncompressedOffset[size] = uOff;
        uncompressedSize[size] = uSize;
        compressed[size] = isCompressed;
        crc[size] = crc32c;
        fileOffset[size] = fOff;
        ciIndex[size] = ci;
        recordFlags[size] = flags;
        return size++;
    }

    byte[] digest(int i) {
        return Arrays.copyOfRange(digests, 32 * i, 32 * i + 32);
    }

    long compressedOffset(int i) {
        return compressedOffset[i];
    }

    int compressedSize(int i) {
        return compressedSize[i];
    }

    long uncompressedOffset(int i) {
        return uncompressedOffset[i];
    }

    int uncompressedSize(int i) {
        return uncompressedSize[i];
    }

    boolean compressed(int i) {
        return compressed[i];
    }

    int crc32c(int i) {
        return crc[i];
    }

    long fileOffset(int i) {
        return fileOffset[i];
    }

    /** Position of the chunk in its blob's chunk-info array. */
    int ciIndex(int i) {
        return ciIndex[i];
    }

    /** Flags of the chunk's 80-byte bootstrap record. */
    int recordFlags(int i) {
        return recordFlags[i];
    }
}
