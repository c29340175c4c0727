package dev.damselfly.rafs.blob;

import dev.damselfly.rafs.RafsFormatException;
import java.nio.charset.StandardCharsets;

/**
 * The 512-byte GNU tar header that follows every section of a Nydus blob (§3.1, §3.7): only the name and
 * the size matter; the checksum is verified.
 *
 * @param name section name ({@code image.blob}, {@code blob.meta}, {@code blob.digest}, {@code image.boot},
 *             {@code rafs.blob.toc})
 * @param size bytes of the section preceding the header
 */
public record TarHeader(String name, long size) {

    public static final int SIZE = 512;

    /** Parses a header; {@code input}/{@code offset} label errors. */
    public static TarHeader parse(byte[] h, String input, long offset) throws RafsFormatException {
        if (h.length != SIZE) {
            throw new RafsFormatException(input, offset, "tar header of " + h.length + " bytes");
        }
        long stored = octal(h, 148, 8, input, offset);
        long sum = 0;
        for (int i = 0; i < SIZE; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
        }
        if (sum != stored) {
            throw new RafsFormatException(input, offset, "tar header checksum " + stored + " does not match " + sum);
        }
        int n = 0;
        while (n < 100 && h[n] != 0) {
            n++;
        }
        long size;
        if ((h[124] & 0x80) != 0) {
            size = 0;
            for (int i = 125; i < 136; i++) {
                size = (size << 8) | (h[i] & 0xFF);
            }
        } else {
            size = octal(h, 124, 12, input, offset);
        }
        if (size < 0) {
            throw new RafsFormatException(input, offset, "negative tar entry size");
        }
        return new TarHeader(new String(h, 0, n, StandardCharsets.UTF_8), size);
    }

    private static long octal(byte[] h, int off, int len, String input, long base) throws RafsFormatException {
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7' || v > (Long.MAX_VALUE >> 3)) {
                throw new RafsFormatException(input, base + i, "bad octal digit in tar header");
            }
            v = (v << 3) | (h[i] - '0');
        }
        return v;
    }
}
